"""A real HTTP server on 127.0.0.1 that speaks TextSynth's chat API, for the tests.

POST /v1/engines/{engine}/chat takes `messages` (alternating strings, the person's first
and last) and an optional `system`; it answers `chat_answer(request)` whole, or with
`stream`, a word at a time as JSON objects separated by blank lines, the last one marked
`reached_end` with the token counts, as TextSynth does. It checks the bearer key and
refuses with TextSynth's `{"status", "error"}`; the rest (failures, delays, recorded
requests, abandoned streams) is the OpenAI fake's.

    with FakeTextSynthServer(api_key="test-key") as server:
        settings.LLM_API_BASE = server.base_url
"""

import json
import re
import time
from collections.abc import Iterator

from testing.openai_server import FakeOpenAIServer, RecordedRequest, Reply, Route

CHAT = re.compile(r"/v1/engines/(?P<engine>[\w.-]+)/chat")


def textsynth_error(status: int, message: str) -> Reply:
    return Reply(status=status, body={"status": status, "error": message})


class FakeTextSynthServer(FakeOpenAIServer):
    def route_for(self, path: str) -> Route | None:
        return self.chat if CHAT.fullmatch(path) else None

    def check_credentials(self, request: RecordedRequest) -> Reply | None:
        if request.headers.get("authorization") == f"Bearer {self.api_key}":
            return None
        return textsynth_error(401, "Invalid API key")

    def chat(self, request: RecordedRequest) -> Reply:
        messages = request.body.get("messages")
        if (
            not isinstance(messages, list)
            or len(messages) % 2 != 1
            or not all(isinstance(message, str) for message in messages)
        ):
            return textsynth_error(400, "messages: expecting an odd number of strings")
        text = self.chat_answer(request)
        words = re.findall(r"\S+\s*", text)
        system = request.body.get("system") or ""
        counts = {
            "input_tokens": sum(len(m.split()) for m in messages) + len(system.split()),
            "output_tokens": len(words),
        }
        if not request.body.get("stream"):
            return Reply(body={"text": text, "reached_end": True, **counts})
        return Reply(stream=self._answers(words, counts), content_type="application/json")

    def _answers(self, words: list[str], counts: dict) -> Iterator[bytes]:
        time.sleep(self.first_token_delay)
        for position, word in enumerate(words):
            if position:
                time.sleep(self.token_delay)
            yield json.dumps({"text": word, "reached_end": False}).encode() + b"\n\n"
        yield json.dumps({"text": "", "reached_end": True, **counts}).encode() + b"\n\n"
