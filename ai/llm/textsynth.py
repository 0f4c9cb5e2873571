"""Answers from TextSynth (textsynth.com, or a TextSynth server of one's own).

Its chat endpoint (`POST {base}/engines/{engine}/chat`) takes the system prompt apart and
the conversation as alternating strings, the person's first and last; with `stream`, the
answer comes as JSON objects separated by blank lines, the last one marked `reached_end`
and carrying the token counts.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from ai.llm import failures, http
from ai.llm.base import Delta, Prompt, ProviderError, RemoteProvider, Usage

DEFAULT_BASE_URL = "https://api.textsynth.com/v1"


@dataclass(frozen=True, kw_only=True)
class TextSynthProvider(RemoteProvider):
    base_url: str

    async def stream(self, prompt: Prompt) -> AsyncIterator[Delta]:
        body = chat_body(prompt.messages, max_tokens=self.max_answer_tokens)
        body.update(temperature=self.temperature, stream=True)
        reached_end = False
        try:
            response = await self._send(body)
            try:
                async for block in http.json_blocks(response):
                    answer = http.json_object(block)
                    text = _text(answer)
                    reached_end = reached_end or answer.get("reached_end") is True
                    usage = _usage(answer) if reached_end else None
                    if text or usage:
                        yield Delta(text=text, usage=usage)
            finally:
                await response.aclose()
        except (http.HTTPFailure, http.MalformedStream, httpx.HTTPError) as error:
            raise self._translate(error) from error
        if not reached_end:
            # The connection ended before TextSynth said it was done: a cut answer.
            raise failures.unavailable(self.name, f"{self.label}: stream ended early")

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> str:
        body = chat_body(messages, max_tokens=max_tokens)
        body.update(temperature=0, stream=False)
        try:
            response = await self._send(body)
            try:
                answer = http.json_object((await response.aread()).decode())
            finally:
                await response.aclose()
        except (http.HTTPFailure, http.MalformedStream, httpx.HTTPError) as error:
            raise self._translate(error) from error
        return _text(answer).strip()

    async def _send(self, body: dict) -> httpx.Response:
        return await http.send(
            http.client(timeout=self.timeout, connect_timeout=self.connect_timeout),
            f"{self.base_url.rstrip('/')}/engines/{self.model}/chat",
            headers={"Authorization": f"Bearer {self.api_key}"},
            body=body,
            max_retries=self.max_retries,
        )

    def _translate(self, error: Exception) -> ProviderError:
        return failures.for_http_error(error, name=self.name, model=self.model, label=self.label)


def chat_body(messages: list[dict[str, str]], *, max_tokens: int) -> dict:
    """TextSynth's chat request: system messages joined apart, the turns alternating, those
    of the same speaker in a row joined, the person's turn first."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns: list[tuple[str, str]] = []
    for message in messages:
        if message["role"] == "system":
            continue
        role = "assistant" if message["role"] == "assistant" else "user"
        if turns and turns[-1][0] == role:
            turns[-1] = (role, f"{turns[-1][1]}\n\n{message['content']}")
        else:
            turns.append((role, message["content"]))
    if turns and turns[0][0] == "assistant":
        turns.insert(0, ("user", ""))
    body: dict = {"messages": [content for _, content in turns], "max_tokens": max_tokens}
    if system:
        body["system"] = system
    return body


def _text(answer: dict) -> str:
    text = answer.get("text", "")
    if isinstance(text, list):  # several completions (`n`): Cassandre asks for one
        text = text[0] if text else ""
    if not isinstance(text, str):
        raise http.MalformedStream("the answer's text is not a string")
    return text


def _usage(answer: dict) -> Usage | None:
    prompt_tokens, completion_tokens = answer.get("input_tokens"), answer.get("output_tokens")
    if prompt_tokens is None and completion_tokens is None:
        return None
    return Usage(prompt_tokens, completion_tokens)
