"""Tokens gathered into fewer messages: the first at once, the rest per window, none lost.

The source is a fake the test drives step by step; time is controlled by the window: one
that never passes within a test (an hour) or none at all.
"""

import asyncio

import pytest

from chat.answering import Done, Sources, Token
from chat.streaming import TokenFrames, joined

NEVER = 3600.0
SOURCES = Sources(1, 2, "question", [], validated=False)


def done(answer: str) -> Done:
    return Done(1, 2, answer, "generated", "model", [], None)


class Source:
    """Yields the events it is given, waiting for each; records whether it was closed."""

    def __init__(self) -> None:
        self.events: asyncio.Queue = asyncio.Queue()
        self.closed = False

    def give(self, *events) -> None:
        for event in events:
            self.events.put_nowait(event)

    def end(self) -> None:
        self.events.put_nowait(None)

    async def stream(self):
        try:
            while (event := await self.events.get()) is not None:
                if isinstance(event, Exception):
                    raise event
                yield event
        finally:
            self.closed = True


def texts(events) -> list:
    return [event.text if isinstance(event, Token) else type(event).__name__ for event in events]


async def test_the_first_token_is_given_at_once_and_the_next_ones_wait_for_the_window():
    source = Source()
    frames = TokenFrames(source.stream(), window=NEVER)
    source.give(SOURCES)
    assert await anext(frames) == SOURCES
    source.give(Token("Le "))
    assert await anext(frames) == Token("Le ")
    source.give(Token("télétravail "), Token("est "))
    following = asyncio.ensure_future(anext(frames))
    await asyncio.sleep(0)
    source.give(Token("autorisé."))
    await asyncio.sleep(0)
    assert not following.done()
    following.cancel()
    assert texts(await frames.aclose()) == ["télétravail est autorisé."]


async def test_the_end_of_the_stream_gives_the_held_tokens_before_done_at_once():
    source = Source()
    frames = TokenFrames(source.stream(), window=NEVER)
    source.give(SOURCES, Token("Le "))
    await anext(frames)
    assert await anext(frames) == Token("Le ")
    source.give(Token("télétravail "), Token("est autorisé."), done("Le télétravail est autorisé."))
    source.end()
    rest = [event async for event in frames]
    assert texts(rest) == ["télétravail est autorisé.", "Done"]


async def test_tokens_spaced_beyond_the_window_leave_one_by_one():
    source = Source()
    frames = TokenFrames(source.stream(), window=0.001)
    given = []
    for word in ("Le ", "télétravail ", "est ", "autorisé."):
        source.give(Token(word))
        given.append(await anext(frames))
    assert texts(given) == ["Le ", "télétravail ", "est ", "autorisé."]
    source.end()
    assert [event async for event in frames] == []


async def test_a_window_of_zero_gives_each_token_as_it_came():
    source = Source()
    frames = TokenFrames(source.stream(), window=0)
    source.give(SOURCES, Token("Le "), Token("télétravail "), done("Le télétravail "))
    source.end()
    assert texts([event async for event in frames]) == ["Sources", "Le ", "télétravail ", "Done"]


async def test_closing_midway_stops_the_source_and_returns_what_was_held():
    source = Source()
    frames = TokenFrames(source.stream(), window=NEVER)
    source.give(Token("Le "))
    await anext(frames)
    source.give(Token("télétravail "), Token("est "))
    await asyncio.sleep(0)
    held = await frames.aclose()
    assert texts(held) == ["télétravail est "]
    assert source.closed


async def test_the_error_of_the_source_comes_after_the_tokens_it_sent():
    source = Source()
    frames = TokenFrames(source.stream(), window=NEVER)
    source.give(Token("Le "))
    await anext(frames)
    source.give(Token("télétravail "), RuntimeError("the model failed"))
    assert await anext(frames) == Token("télétravail ")
    with pytest.raises(RuntimeError, match="the model failed"):
        await anext(frames)


def test_consecutive_tokens_are_joined_and_other_events_keep_their_place():
    events = [SOURCES, Token("a"), Token("b"), done("ab"), Token("c")]
    assert texts(joined(events)) == ["Sources", "ab", "Done", "c"]
