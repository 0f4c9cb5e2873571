"""An answer's events with its tokens gathered into fewer messages for the client.

Each websocket frame costs the serving process ~0.1 ms of processor under the one
interpreter lock every conversation shares; a model streams a token every few milliseconds.
`TokenFrames` reads the events in a task of its own and gives the first token as soon as it
comes; after each token it gives, it lets `window` seconds pass, and whatever tokens came
meanwhile leave joined as one. The end of the stream gives what is held at once, so `Done`
is never late. A slow model's tokens, spaced more than `window` apart, still leave one by one.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

from chat.answering import Event, Token


class TokenFrames:
    """`events`, the tokens that come within `window` seconds of the last given one joined;
    `window` 0 gives them as they come. Iterate it, then `aclose` it if stopped midway."""

    def __init__(self, events: AsyncIterator[Event], *, window: float) -> None:
        self._events = events
        self._window = window
        self._received: list[Event] = []
        self._ready: deque[Event] = deque()
        self._arrived = asyncio.Event()
        self._ended = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self._gave_a_token = False

    def __aiter__(self) -> "TokenFrames":
        return self

    async def __anext__(self) -> Event:
        if self._window <= 0:
            return await anext(self._events)
        if not self._ready:
            await self._gather()
        return self._ready.popleft()

    async def aclose(self) -> list[Event]:
        """Stop reading (which closes `events`); the tokens read but not given yet, joined."""
        if self._reader is None:
            await self._events.aclose()
        elif not self._reader.done():
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        held = [*self._ready, *joined(self._received)]
        self._ready.clear()
        self._received.clear()
        return [event for event in joined(held) if isinstance(event, Token)]

    async def _gather(self) -> None:
        if self._reader is None:
            self._reader = asyncio.create_task(self._read())
        if self._gave_a_token:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._window):
                    await self._ended.wait()
        while not self._received:
            if self._ended.is_set():
                self._reader.result()  # the stream's error, if it failed
                raise StopAsyncIteration
            self._arrived.clear()
            await self._arrived.wait()
        self._ready.extend(joined(self._received))
        self._received.clear()
        self._gave_a_token = isinstance(self._ready[-1], Token)

    async def _read(self) -> None:
        try:
            async for event in self._events:
                self._received.append(event)
                self._arrived.set()
        finally:
            self._ended.set()
            self._arrived.set()


def joined(events: list[Event]) -> list[Event]:
    """`events` with each run of consecutive tokens made one token."""
    result: list[Event] = []
    texts: list[str] = []
    for event in events:
        if isinstance(event, Token):
            texts.append(event.text)
            continue
        if texts:
            result.append(Token("".join(texts)))
            texts = []
        result.append(event)
    if texts:
        result.append(Token("".join(texts)))
    return result
