"""Answers from any OpenAI-compatible chat completions API: OpenAI, Paradigm, vLLM, Ollama…

One `AsyncOpenAI` client per event loop and configuration keeps connections warm between
questions (no TCP/TLS handshake before each first token). The client retries connection
errors, 408, 429 and 5xx itself (`max_retries`), before anything has been streamed.
"""

import json
import weakref
from asyncio import AbstractEventLoop, get_running_loop
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import httpx2
import openai
from openai import AsyncOpenAI

from ai.llm import failures
from ai.llm.base import Delta, Prompt, ProviderError, RemoteProvider, Usage

# The OpenAI SDK speaks HTTP through its own copy of httpx (httpx2): reading its raw stream
# raises that copy's errors.
_TRANSPORT_ERRORS = (httpx.HTTPError, httpx2.HTTPError)

_clients: "weakref.WeakKeyDictionary[AbstractEventLoop, dict[tuple, AsyncOpenAI]]" = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, kw_only=True)
class OpenAICompatibleProvider(RemoteProvider):
    async def stream(self, prompt: Prompt) -> AsyncIterator[Delta]:
        # The raw event stream, each event read with json.loads: the SDK's own stream builds
        # a typed object per token, which cost more than the rest of an answer's streaming
        # (measured with `make bench`, 16 conversations at once). Errors, retries and the
        # request itself stay the SDK's.
        request = self._client().chat.completions.with_streaming_response.create(
            model=self.model,
            messages=prompt.messages,
            temperature=self.temperature,
            max_tokens=self.max_answer_tokens,
            stream=True,
            stream_options={"include_usage": True},
        )
        finished = False
        try:
            # Leaving the block closes the response: that stops the generation on the server
            # (a cancelled answer).
            async with request as response:
                async for line in response.iter_lines():
                    chunk = _event(line)
                    if chunk is None:
                        continue
                    choices = chunk.get("choices") or []
                    text = "".join(
                        (choice.get("delta") or {}).get("content") or "" for choice in choices
                    )
                    finished = finished or any(choice.get("finish_reason") for choice in choices)
                    usage = _usage(chunk.get("usage"))
                    if text or usage:
                        yield Delta(text=text, usage=usage)
        except (openai.OpenAIError, *_TRANSPORT_ERRORS, _StreamError) as error:
            raise self._translate(error) from error
        if not finished:
            # The connection ended before the model said it was done: a cut answer.
            raise self._translate(ConnectionError("stream ended without a finish reason"))

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> str:
        try:
            response = await self._client().chat.completions.create(
                model=self.model, messages=messages, temperature=0, max_tokens=max_tokens
            )
        except openai.OpenAIError as error:
            raise self._translate(error) from error
        return (response.choices[0].message.content or "").strip() if response.choices else ""

    def _client(self) -> AsyncOpenAI:
        per_loop = _clients.setdefault(get_running_loop(), {})
        key = (self.base_url, self.api_key, self.timeout, self.connect_timeout, self.max_retries)
        client = per_loop.get(key)
        if client is None:
            client = per_loop[key] = AsyncOpenAI(
                api_key=self.api_key or "none",
                base_url=self.base_url,
                timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout),
                max_retries=self.max_retries,
            )
        return client

    def _translate(self, error: Exception) -> ProviderError:
        detail = f"{self.label}: {type(error).__name__}"
        if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
            return failures.key_refused(self.name, detail)
        if isinstance(error, openai.RateLimitError):
            return failures.too_many_requests(self.name, detail)
        if isinstance(error, openai.NotFoundError):
            return failures.unknown_model(self.name, self.model, detail)
        if isinstance(error, openai.BadRequestError):
            return failures.request_refused(self.name, detail)
        return failures.unavailable(self.name, detail)


class _StreamError(Exception):
    """The model sent an error, or an event that is not JSON, in the middle of its stream."""


def _event(line: str) -> dict | None:
    """The JSON of a server-sent `data:` line; None for other lines and the closing [DONE]."""
    if not line.startswith("data:"):
        return None
    data = line[5:].strip()
    if not data or data == "[DONE]":
        return None
    try:
        event = json.loads(data)
    except ValueError as error:
        raise _StreamError("an event of the stream is not JSON") from error
    if not isinstance(event, dict) or "error" in event:
        raise _StreamError("the model sent an error in its stream")
    return event


def _usage(usage: object) -> Usage | None:
    if not isinstance(usage, dict):
        return None
    return Usage(usage.get("prompt_tokens"), usage.get("completion_tokens"))
