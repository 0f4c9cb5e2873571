"""Answers from Gemini on Vertex AI (Google Cloud), with a service account's JSON key.

`POST {base}/projects/{project}/locations/{location}/publishers/google/models/{model}
:streamGenerateContent?alt=sse` streams server-sent events, each a `GenerateContentResponse`:
text in `candidates[0].content.parts`, a `finishReason` on the last, `usageMetadata`.
The bearer token comes from `google_auth`, which keeps and refreshes it.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from ai.llm import failures, google_auth, http
from ai.llm.base import Delta, Prompt, ProviderError, RemoteProvider, Usage
from ai.llm.google_auth import TokenRefused, TokenUnavailable
from ai.service_account import InvalidServiceAccountKey, ServiceAccount, parse_service_account

# Reasons a candidate ends normally; any other (SAFETY, RECITATION, BLOCKLIST…) is a refusal.
FINISHED = frozenset({"STOP", "MAX_TOKENS"})
ROLES = {"assistant": "model"}


def default_base_url(location: str) -> str:
    host = "aiplatform.googleapis.com"
    return f"https://{host}/v1" if location == "global" else f"https://{location}-{host}/v1"


@dataclass(frozen=True, kw_only=True)
class VertexProvider(RemoteProvider):
    base_url: str
    api_key: str
    """The service account's JSON key."""
    project: str
    location: str

    async def stream(self, prompt: Prompt) -> AsyncIterator[Delta]:
        body = request_body(
            prompt.messages, max_tokens=self.max_answer_tokens, temperature=self.temperature
        )
        finished = False
        usage = None
        try:
            response = await self._send("streamGenerateContent?alt=sse", body)
            try:
                async for block in http.json_blocks(response):
                    chunk = _event(block)
                    if chunk is None:
                        continue
                    text, reason = _candidate(chunk)
                    finished = finished or reason is not None
                    usage = _usage(chunk.get("usageMetadata")) or usage
                    if text:
                        yield Delta(text=text)
            finally:
                await response.aclose()
        except _Refusal as refusal:
            raise failures.request_refused(self.name, f"{self.label}: {refusal}") from refusal
        except (http.HTTPFailure, http.MalformedStream, httpx.HTTPError) as error:
            raise self._translate(error) from error
        if not finished:
            # The connection ended before the model said it was done: a cut answer.
            raise failures.unavailable(self.name, f"{self.label}: stream ended early")
        if usage is not None:
            yield Delta(usage=usage)

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> str:
        body = request_body(messages, max_tokens=max_tokens, temperature=0)
        try:
            response = await self._send("generateContent", body)
            try:
                text, _ = _candidate(http.json_object((await response.aread()).decode()))
            finally:
                await response.aclose()
        except _Refusal as refusal:
            raise failures.request_refused(self.name, f"{self.label}: {refusal}") from refusal
        except (http.HTTPFailure, http.MalformedStream, httpx.HTTPError) as error:
            raise self._translate(error) from error
        return text.strip()

    async def _send(self, method: str, body: dict) -> httpx.Response:
        account = self._account()
        url = (
            f"{self.base_url.rstrip('/')}/projects/{self.project or account.project_id}"
            f"/locations/{self.location}/publishers/google/models/{self.model}:{method}"
        )
        token = await self._token(account)
        try:
            return await self._post(url, token, body)
        except http.HTTPFailure as failure:
            if failure.status != 401:
                raise
        # The API no longer takes the token (revoked, clocks apart): once with a new one.
        google_auth.tokens.forget(account, token)
        return await self._post(url, await self._token(account), body)

    async def _post(self, url: str, token: str, body: dict) -> httpx.Response:
        return await http.send(
            http.client(timeout=self.timeout, connect_timeout=self.connect_timeout),
            url,
            headers={"Authorization": f"Bearer {token}"},
            body=body,
            max_retries=self.max_retries,
        )

    def _account(self) -> ServiceAccount:
        try:
            return parse_service_account(self.api_key)
        except InvalidServiceAccountKey as error:
            raise failures.key_unreadable(self.name, f"{self.label}: {error}") from error

    async def _token(self, account: ServiceAccount) -> str:
        try:
            # The exchange blocks (a signature and a request, once an hour): in a thread.
            return await asyncio.to_thread(
                google_auth.tokens.token,
                account,
                timeout=self.timeout,
                connect_timeout=self.connect_timeout,
            )
        except TokenRefused as error:
            raise failures.key_refused(self.name, f"{self.label}: token {error}") from error
        except TokenUnavailable as error:
            raise failures.unavailable(self.name, f"{self.label}: token {error}") from error

    def _translate(self, error: Exception) -> ProviderError:
        return failures.for_http_error(error, name=self.name, model=self.model, label=self.label)


def request_body(messages: list[dict[str, str]], *, max_tokens: int, temperature: float) -> dict:
    """Gemini's request: the system messages as its instruction, the others as turns."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    contents = [
        {"role": ROLES.get(m["role"], "user"), "parts": [{"text": m["content"]}]}
        for m in messages
        if m["role"] != "system"
    ]
    body: dict = {
        "contents": contents,
        "generationConfig": {"temperature": temperature, "maxOutputTokens": max_tokens},
    }
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    return body


class _Refusal(Exception):
    """Gemini blocked the prompt or stopped its answer (safety, recitation…)."""


def _event(block: str) -> dict | None:
    data = "".join(line[5:].strip() for line in block.splitlines() if line.startswith("data:"))
    return http.json_object(data) if data else None


def _candidate(chunk: dict) -> tuple[str, str | None]:
    """The text of the first candidate, and its finish reason if it has one."""
    blocked = (chunk.get("promptFeedback") or {}).get("blockReason")
    if blocked:
        raise _Refusal(f"prompt blocked: {blocked}")
    candidates = chunk.get("candidates") or []
    if not isinstance(candidates, list) or not candidates:
        return "", None
    candidate = candidates[0] if isinstance(candidates[0], dict) else {}
    parts = (candidate.get("content") or {}).get("parts") or []
    text = "".join(
        part["text"]
        for part in parts
        if isinstance(part, dict) and isinstance(part.get("text"), str) and not part.get("thought")
    )
    reason = candidate.get("finishReason")
    if reason and reason not in FINISHED:
        raise _Refusal(f"answer stopped: {reason}")
    return text, reason


def _usage(metadata: object) -> Usage | None:
    if not isinstance(metadata, dict):
        return None
    return Usage(metadata.get("promptTokenCount"), metadata.get("candidatesTokenCount"))
