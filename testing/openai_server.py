"""A real HTTP server on 127.0.0.1 that speaks the OpenAI API, for the tests.

It serves POST /v1/embeddings with deterministic fake vectors (see `fake_embedding`),
returned out of order as the API allows, and POST /v1/chat/completions: `chat_answer(request)`
gives the answer text, streamed as server-sent events a word at a time after
`first_token_delay`, then every `token_delay` seconds, with the usage at the end when asked.
It records every request, checks the bearer key like OpenAI, can be told to fail
(`failures`) or to be slow (`delay`), and counts the streams a client abandoned midway
(`abandoned_streams`: a cancelled answer must close its request).

    with FakeOpenAIServer(api_key="test-key") as server:
        settings.EMBEDDING_API_BASE = server.base_url
"""

import base64
import hashlib
import json
import math
import re
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict
    query: str = ""


@dataclass
class Reply:
    """A JSON `body`, or a `stream` of bytes written as they come (server-sent events)."""

    status: int = 200
    body: object = field(default_factory=dict)
    stream: Iterable[bytes] | None = None
    content_type: str = "application/json"


Route = Callable[[RecordedRequest], Reply]


def fake_embedding(text: str, dimensions: int) -> list[float]:
    """A unit vector derived from the text's hash: the same text, the same vector."""
    digest = hashlib.shake_256(text.encode("utf-8")).digest(2 * dimensions)
    raw = [value / 65535 - 0.5 for value in struct.unpack(f">{dimensions}H", digest)]
    norm = math.sqrt(sum(value * value for value in raw))
    return [value / norm for value in raw]


def error_reply(status: int, message: str, *, code: str | None = None) -> Reply:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    return Reply(status=status, body={"error": error})


class FakeOpenAIServer:
    def __init__(self, *, api_key: str = "test-key", dimensions: int = 8, scale: float = 1.0):
        self.api_key = api_key
        self.dimensions = dimensions
        # Vectors are multiplied by `scale`: some compatible servers do not normalise.
        self.scale = scale
        self.delay = 0.0
        # Replies served, first to last, instead of the routes' (e.g. an HTTP 500).
        self.failures: list[Reply] = []
        self.requests: list[RecordedRequest] = []
        self.routes: dict[str, Route] = {
            "/v1/embeddings": self.embeddings,
            "/v1/chat/completions": self.chat_completions,
        }
        self.chat_answer: Callable[[RecordedRequest], str] = default_chat_answer
        self.first_token_delay = 0.0
        self.token_delay = 0.0
        self.abandoned_streams = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("The server is not started.")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> "FakeOpenAIServer":
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeOpenAIServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.path == path]

    def answer(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
        refusal = self.check_credentials(request)
        if refusal is not None:
            return refusal
        with self._lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure is not None:
            return failure
        if self.delay:
            time.sleep(self.delay)
        route = self.route_for(request.path)
        if route is None:
            return error_reply(404, f"Unknown path {request.path}.")
        return route(request)

    def check_credentials(self, request: RecordedRequest) -> Reply | None:
        """None when the request carries the key, else the API's refusal."""
        if request.headers.get("authorization") == f"Bearer {self.api_key}":
            return None
        # Like OpenAI, the message quotes the key it was given: clients must not pass it on.
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        return error_reply(401, f"Incorrect API key provided: {given}.", code="invalid_api_key")

    def route_for(self, path: str) -> Route | None:
        return self.routes.get(path)

    def embeddings(self, request: RecordedRequest) -> Reply:
        texts = request.body.get("input")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not all(isinstance(text, str) and text for text in texts):
            return error_reply(400, "'$.input' must be a non-empty string or array of strings.")
        as_base64 = request.body.get("encoding_format") == "base64"
        items = []
        for index, text in enumerate(texts):
            vector = [value * self.scale for value in fake_embedding(text, self.dimensions)]
            if as_base64:
                packed = struct.pack(f"<{len(vector)}f", *vector)
                embedding: object = base64.b64encode(packed).decode("ascii")
            else:
                embedding = vector
            items.append({"object": "embedding", "index": index, "embedding": embedding})
        tokens = sum(len(text.split()) for text in texts)
        body = {
            "object": "list",
            "data": items[::-1],  # any order is allowed: clients must sort by "index"
            "model": request.body.get("model"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
        return Reply(body=body)

    def chat_completions(self, request: RecordedRequest) -> Reply:
        messages = request.body.get("messages")
        if not isinstance(messages, list) or not messages:
            return error_reply(400, "'messages' must be a non-empty array.")
        text = self.chat_answer(request)
        words = re.findall(r"\S+\s*", text)
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(words),
            "total_tokens": prompt_tokens + len(words),
        }
        model = request.body.get("model")
        if not request.body.get("stream"):
            message = {"role": "assistant", "content": text}
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            body = {"id": "chatcmpl-test", "object": "chat.completion", "model": model}
            return Reply(body={**body, "choices": [choice], "usage": usage})
        with_usage = bool((request.body.get("stream_options") or {}).get("include_usage"))
        return Reply(
            stream=self._chat_events(words, model, usage if with_usage else None),
            content_type="text/event-stream",
        )

    def _chat_events(self, words: list[str], model: str, usage: dict | None) -> Iterator[bytes]:
        base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": model}

        def event(choices: list, **extra) -> bytes:
            return f"data: {json.dumps({**base, 'choices': choices, **extra})}\n\n".encode()

        time.sleep(self.first_token_delay)
        yield event([{"index": 0, "delta": {"role": "assistant", "content": ""}}])
        for position, word in enumerate(words):
            if position:
                time.sleep(self.token_delay)
            yield event([{"index": 0, "delta": {"content": word}, "finish_reason": None}])
        yield event([{"index": 0, "delta": {}, "finish_reason": "stop"}])
        if usage is not None:
            yield event([], usage=usage)
        yield b"data: [DONE]\n\n"


def default_chat_answer(request: RecordedRequest) -> str:
    """A short answer that cites the first passage, as a grounded model would."""
    return "D'après les documents, la réponse figure dans le premier extrait [1]."


def _handler_for(server: FakeOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            body: dict
            if self.headers.get("content-type", "").startswith(FORM):
                body = dict(parse_qsl(raw.decode("utf-8", "replace")))
            else:
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
            request = RecordedRequest(
                method="POST",
                path=self.path.split("?")[0],
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body,
                query=self.path.partition("?")[2],
            )
            self._send(server.answer(request))

        def _send(self, reply: Reply) -> None:
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                if reply.stream is not None:
                    self.send_header("Cache-Control", "no-cache")
                    self.end_headers()
                    try:
                        for chunk in reply.stream:
                            self.wfile.write(chunk)
                            self.wfile.flush()
                    except (BrokenPipeError, ConnectionResetError):
                        with server._lock:
                            server.abandoned_streams += 1
                    self.close_connection = True
                    return
                payload = json.dumps(reply.body).encode("utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to tell it

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler
