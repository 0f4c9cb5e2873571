"""HTTP for the providers spoken without an SDK (TextSynth, Vertex AI).

One `httpx.AsyncClient` per event loop and timeouts keeps connections warm between
questions. Like the OpenAI SDK, a request is retried on connection errors, 408, 429 and 5xx,
before anything has been read; `timeout` bounds the wait for each byte, so a long answer
that keeps streaming is never cut.
"""

import asyncio
import json
import weakref
from asyncio import AbstractEventLoop, get_running_loop
from collections.abc import AsyncIterator

import httpx

RETRIED_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
FIRST_RETRY_DELAY = 0.5
LONGEST_RETRY_DELAY = 8.0

_clients: "weakref.WeakKeyDictionary[AbstractEventLoop, dict[tuple, httpx.AsyncClient]]" = (
    weakref.WeakKeyDictionary()
)


class HTTPFailure(Exception):
    """The API answered with an error status (its body is not kept: it may echo the key)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class MalformedStream(Exception):
    """The API sent something that is not its protocol's JSON, or an error, midway."""


def client(*, timeout: float, connect_timeout: float) -> httpx.AsyncClient:
    per_loop = _clients.setdefault(get_running_loop(), {})
    key = (timeout, connect_timeout)
    existing = per_loop.get(key)
    if existing is None:
        existing = per_loop[key] = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=connect_timeout)
        )
    return existing


async def send(
    http: httpx.AsyncClient, url: str, *, headers: dict[str, str], body: dict, max_retries: int
) -> httpx.Response:
    """The response to a POST of `body` as JSON, its status 200, its body not yet read:
    the caller closes it (closing it midway stops the generation on the server)."""
    attempt = 0
    while True:
        try:
            request = http.build_request("POST", url, headers=headers, json=body)
            response = await http.send(request, stream=True)
        except httpx.TransportError:
            if attempt >= max_retries:
                raise
        else:
            if response.status_code == 200:
                return response
            await response.aclose()
            if response.status_code not in RETRIED_STATUSES or attempt >= max_retries:
                raise HTTPFailure(response.status_code)
        attempt += 1
        await asyncio.sleep(min(FIRST_RETRY_DELAY * 2 ** (attempt - 1), LONGEST_RETRY_DELAY))


async def json_blocks(response: httpx.Response) -> AsyncIterator[str]:
    """The blocks of a streamed body, each the text between two blank lines."""
    block: list[str] = []
    async for line in response.aiter_lines():
        if line.strip():
            block.append(line)
        elif block:
            yield "\n".join(block)
            block = []
    if block:
        yield "\n".join(block)


def json_object(text: str) -> dict:
    """A JSON object that is not an error report, else `MalformedStream`."""
    try:
        value = json.loads(text)
    except ValueError as error:
        raise MalformedStream("a part of the answer is not JSON") from error
    if not isinstance(value, dict):
        raise MalformedStream("a part of the answer is not a JSON object")
    if "error" in value:
        raise MalformedStream("the model sent an error in its answer")
    return value
