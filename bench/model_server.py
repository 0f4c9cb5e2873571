"""The language model of the chat runs: an OpenAI-compatible server with a known latency.

Run in a process of its own (`python -m bench.model_server`), so that its streams do not
compete for the measuring process's interpreter lock, and written on asyncio with every
event encoded once at start: at 64 conversations it streams thousands of events a second
on the same two cores as Cassandre, and a server spending a thread and a `json.dumps` per
event (as the tests' FakeOpenAIServer does) was late on its own first token, which the
measure would have counted as Cassandre's. `POST /v1/chat/completions` streams `ANSWER`:
its first token `--first-token-ms` after the request, then one word every `--token-ms`. It
prints its base URL on the first line and serves until its standard input closes.
"""

import argparse
import asyncio
import json
import re
import sys

API_KEY = "bench-model-key"
# A grounded answer of a usual length: ~60 words, each one streamed token.
ANSWER = (
    "D'après les documents, cette page du manuel décrit précisément ce que vous cherchez [1]. "
    "Elle présente d'abord la syntaxe, puis chaque option avec son effet, les valeurs "
    "renvoyées et les erreurs possibles. Les exemples en fin de page montrent un usage "
    "courant ; la section VOIR AUSSI renvoie vers les pages voisines qui complètent la "
    "réponse [2]. Vérifiez la version installée avant de vous fier aux détails."
)
_STREAM_HEADERS = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
    b"Connection: close\r\n\r\n"
)


def answer_words() -> list[str]:
    return re.findall(r"\S+\s*", ANSWER)


def model_total_ms(*, first_token_ms: float, token_ms: float) -> float:
    """The model's own time for the whole answer: its first token, then one per word."""
    return first_token_ms + (len(answer_words()) - 1) * token_ms


def stream_events() -> tuple[bytes, list[bytes], bytes]:
    """The answer's server-sent events: the opening one, one per word, and the closing ones."""

    def event(choices: list, **extra) -> bytes:
        chunk = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "model": "bench"}
        return f"data: {json.dumps({**chunk, 'choices': choices, **extra})}\n\n".encode()

    words = answer_words()
    opening = event([{"index": 0, "delta": {"role": "assistant", "content": ""}}])
    per_word = [
        event([{"index": 0, "delta": {"content": word}, "finish_reason": None}]) for word in words
    ]
    usage = {"prompt_tokens": 1000, "completion_tokens": len(words), "total_tokens": 1000}
    closing = (
        event([{"index": 0, "delta": {}, "finish_reason": "stop"}])
        + event([], usage=usage)
        + b"data: [DONE]\n\n"
    )
    return opening, per_word, closing


async def serve(*, first_token_ms: float, token_ms: float) -> asyncio.Server:
    opening, per_word, closing = stream_events()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            headers = await _request_headers(reader)
            await reader.readexactly(int(headers.get("content-length", "0")))
            if headers.get("authorization") != f"Bearer {API_KEY}":
                writer.write(_json_reply(401, {"error": {"message": "Incorrect API key."}}))
                return
            writer.write(_STREAM_HEADERS)
            await asyncio.sleep(first_token_ms / 1000)
            writer.write(opening + per_word[0])
            await writer.drain()
            for word in per_word[1:]:
                await asyncio.sleep(token_ms / 1000)
                writer.write(word)
                await writer.drain()
            writer.write(closing)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up (a cancelled answer)
        finally:
            writer.close()

    return await asyncio.start_server(answer, "127.0.0.1", 0)


async def _request_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    await reader.readline()  # the request line: every request is a chat completion
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def _json_reply(status: int, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    return (
        f"HTTP/1.1 {status} Error\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
    ).encode() + payload


async def main(first_token_ms: float, token_ms: float) -> None:
    server = await serve(first_token_ms=first_token_ms, token_ms=token_ms)
    port = server.sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}/v1", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-token-ms", type=float, default=200)
    parser.add_argument("--token-ms", type=float, default=10)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.first_token_ms, arguments.token_ms))
