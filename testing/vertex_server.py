"""A real HTTP server on 127.0.0.1 that speaks Vertex AI's Gemini API and Google's OAuth
token endpoint, for the tests.

It holds a service account (an RSA key made at start): `service_account_key()` is the JSON
key an administrator would paste, its `token_uri` this server's POST /token, which checks
the signed JWT (RS256 with that key, `iss`, `aud`, `scope`) like Google and issues tokens
`token_lifetime` seconds long (`token_exchanges` counts them; `revoke_tokens()` makes the
API refuse those issued). POST /v1/projects/{project}/locations/{location}/publishers/
google/models/{model}:streamGenerateContent?alt=sse streams `chat_answer(request)` as
server-sent events a word at a time, the last with `finishReason` and `usageMetadata`;
:generateContent answers whole. A token it did not issue gets 401, another project 403.
"""

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from testing.openai_server import FakeOpenAIServer, RecordedRequest, Reply, Route

CLIENT_EMAIL = "cassandre@projet-test.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
GENERATE = re.compile(
    r"/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)"
    r"/publishers/google/models/(?P<model>[^/:]+):(?P<method>streamGenerateContent|generateContent)"
)


def google_error(status: int, code: str, message: str) -> Reply:
    error = {"code": status, "message": message, "status": code}
    return Reply(status=status, body={"error": error})


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeVertexServer(FakeOpenAIServer):
    def __init__(self, *, project: str = "projet-test", token_lifetime: int = 3599) -> None:
        super().__init__(api_key="")
        self.project = project
        self.token_lifetime = token_lifetime
        self.private_key = new_private_key()
        self.token_exchanges = 0
        # Replies the token endpoint serves, first to last, instead of a token.
        self.token_failures: list[Reply] = []
        self._issued: set[str] = set()
        self._numbers = itertools.count(1)
        self._tokens_lock = threading.Lock()

    @property
    def root_url(self) -> str:
        return self.base_url.removesuffix("/v1")

    def service_account_key(self, private_key: rsa.RSAPrivateKey | None = None) -> str:
        """The JSON key of the server's account; with another `private_key`, a key Google
        would refuse (a deleted or rotated one)."""
        pem = (private_key or self.private_key).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return json.dumps(
            {
                "type": "service_account",
                "project_id": self.project,
                "private_key_id": "0123456789abcdef",
                "private_key": pem.decode(),
                "client_email": CLIENT_EMAIL,
                "client_id": "100000000000000000000",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": f"{self.root_url}/token",
            },
            indent=2,
        )

    def revoke_tokens(self) -> None:
        with self._tokens_lock:
            self._issued.clear()

    def answer(self, request: RecordedRequest) -> Reply:
        if request.path != "/token":
            return super().answer(request)
        with self._lock:
            self.requests.append(request)
            failure = self.token_failures.pop(0) if self.token_failures else None
        return failure or self.token(request)

    def token(self, request: RecordedRequest) -> Reply:
        if request.body.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return Reply(status=400, body={"error": "unsupported_grant_type"})
        try:
            claims = jwt.decode(
                request.body.get("assertion", ""),
                self.private_key.public_key(),
                algorithms=["RS256"],
                audience=f"{self.root_url}/token",
                issuer=CLIENT_EMAIL,
                options={"require": ["iat", "exp", "iss", "aud"]},
            )
        except jwt.InvalidTokenError:
            body = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            return Reply(status=400, body=body)
        if claims.get("scope") != SCOPE:
            return Reply(status=400, body={"error": "invalid_scope"})
        value = f"ya29.fake-token-{next(self._numbers)}"
        with self._tokens_lock:
            self._issued.add(value)
            self.token_exchanges += 1
        body = {"access_token": value, "expires_in": self.token_lifetime, "token_type": "Bearer"}
        return Reply(body=body)

    def bearer_tokens(self) -> list[str]:
        """The tokens the API requests carried, first to last."""
        return [
            request.headers.get("authorization", "").removeprefix("Bearer ")
            for request in self.requests
            if request.path != "/token"
        ]

    def check_credentials(self, request: RecordedRequest) -> Reply | None:
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._tokens_lock:
            known = given in self._issued
        if known:
            return None
        return google_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token.",
        )

    def route_for(self, path: str) -> Route | None:
        return self.generate if GENERATE.fullmatch(path) else None

    def generate(self, request: RecordedRequest) -> Reply:
        match = GENERATE.fullmatch(request.path)
        assert match is not None
        if match["project"] != self.project:
            return google_error(403, "PERMISSION_DENIED", "Permission denied on resource.")
        contents = request.body.get("contents")
        if not isinstance(contents, list) or not contents:
            return google_error(400, "INVALID_ARGUMENT", "contents is not specified")
        text = self.chat_answer(request)
        words = re.findall(r"\S+\s*", text)
        instruction = request.body.get("systemInstruction") or {"parts": []}
        prompt_tokens = sum(
            len(str(part.get("text", "")).split())
            for content in [instruction, *contents]
            for part in content.get("parts", [])
        )
        usage = {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": len(words),
            "totalTokenCount": prompt_tokens + len(words),
        }
        model = match["model"]
        if match["method"] == "generateContent":
            return Reply(body=_response(text, "STOP", usage, model))
        if request.query != "alt=sse":
            return google_error(400, "INVALID_ARGUMENT", "this fake streams only alt=sse")
        return Reply(stream=self._events(words, usage, model), content_type="text/event-stream")

    def _events(self, words: list[str], usage: dict, model: str) -> Iterator[bytes]:
        time.sleep(self.first_token_delay)
        for position, word in enumerate(words):
            if position:
                time.sleep(self.token_delay)
            last = position == len(words) - 1
            chunk = _response(word, "STOP" if last else None, usage if last else None, model)
            yield f"data: {json.dumps(chunk)}\r\n\r\n".encode()


def _response(text: str, finish_reason: str | None, usage: dict | None, model: str) -> dict:
    candidate: dict = {"content": {"role": "model", "parts": [{"text": text}]}}
    if finish_reason:
        candidate["finishReason"] = finish_reason
    response: dict = {"candidates": [candidate], "modelVersion": model}
    if usage:
        response["usageMetadata"] = usage
    return response
