"""From a question to a streamed, cited answer kept in its conversation.

`answer_question` is an async generator of events — `Sources`, then `Token`s, then `Done` —
that every interface shares (websocket, REST API, `ask` command). It streams straight from
the provider; database work and retrieval run in worker threads so that many conversations
share one event loop without waiting on each other. Errors are `UserError`s (`common.errors`):
`QuestionRefused`, `ProviderError` (`ai.llm`) or `SearchUnavailable` (`chat.search`).
"""

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _

from ai.citation_check import check_answer, not_checked
from ai.citations import cited_numbers
from ai.costs import FREE, Tariff
from ai.llm import Delta, NumberedPassage, Provider, ProviderError, Usage
from ai.passages import stored_passage_vectors
from ai.prompts import REWRITE_MAX_TOKENS, build_prompt, rewrite_messages
from ai.retrieval import Result
from chat.conversations import AskContext, finish_exchange, load_ask_context, start_exchange
from chat.models import Exchange
from chat.notices import expiry_notices
from chat.search import result_as_dict, search_for_answer
from documents.models import Correction

logger = logging.getLogger(__name__)

# A follow-up this short, or starting with one of these words, leans on the previous question
# (when no language model can rewrite it).
SHORT_FOLLOW_UP_WORDS = 8
FOLLOW_UP_OPENINGS = ("et ", "mais ", "alors ", "aussi ", "ou ", "puis ", "donc ")


@dataclass(frozen=True)
class Sources:
    conversation_id: int
    exchange_id: int
    question: str
    sources: list[dict]
    validated: bool


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Done:
    conversation_id: int
    exchange_id: int
    answer: str
    outcome: str
    provider: str
    citations: list[int]
    usage: Usage | None
    timings: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    """Notes to show below the answer, such as a cited document soon out of force."""
    checks: dict = field(default_factory=dict)
    """Each sentence checked against the passages it cites (`ai.citation_check`)."""

    @property
    def validated(self) -> bool:
        return self.outcome == Exchange.Outcome.CORRECTION


Event = Sources | Token | Done
T = TypeVar("T")


async def in_thread(function: Callable[..., T], /, **kwargs) -> T:
    """Run blocking work (database, embedding, vector search) off the event loop.

    Not Django's single "thread-sensitive" thread: concurrent conversations would queue there.
    """

    def run() -> T:
        close_old_connections()
        try:
            return function(**kwargs)
        finally:
            close_old_connections()

    return await sync_to_async(run, thread_sensitive=False)()


@dataclass
class _Clock:
    started: float = field(default_factory=time.perf_counter)
    # Time spent waiting on the language model before its first token (not ours).
    model_wait: float = 0.0

    def ms(self, since: float | None = None) -> int:
        return round((time.perf_counter() - (since or self.started)) * 1000)


async def answer_question(
    *,
    user_id: int,
    question: str,
    category_slug: str | None = None,
    conversation_id: int | None = None,
    provider: Provider | None = None,
) -> AsyncIterator[Event]:
    """The events answering `question`; `provider` replaces the category's (benchmarks)."""
    clock = _Clock()
    context = await in_thread(
        load_ask_context,
        user_id=user_id,
        question=question,
        category_slug=category_slug,
        conversation_id=conversation_id,
        provider=provider,
    )
    standalone = await standalone_question(context, clock)
    retrieval_started = time.perf_counter()
    _, results, correction = await in_thread(
        search_for_answer,
        question=standalone,
        asked=context.anonymized_question,
        category_ids=context.category_ids,
    )
    sources = [
        {"number": number, **result_as_dict(result)}
        for number, result in enumerate(results, start=1)
    ]
    retrieval_ms = clock.ms(retrieval_started)
    outcome, stream = _answer_stream(context, standalone, results, correction, clock)
    # The model is asked before the exchange is written: its wait covers the write.
    stream = _RequestedNow(stream)
    try:
        conversation_id, exchange_id = await in_thread(
            start_exchange,
            context=context,
            standalone_question=standalone,
            sources=sources,
            correction_id=correction.pk if correction else None,
            retrieval_ms=retrieval_ms,
        )
    except BaseException:
        await stream.aclose()
        raise
    yield Sources(conversation_id, exchange_id, standalone, sources, validated=bool(correction))

    # Only a generated answer has a price: extracts and validated corrections cost nothing.
    tariff = context.tariff if outcome == Exchange.Outcome.GENERATED else FREE
    record = _Recorder(exchange_id=exchange_id, outcome=outcome, clock=clock, tariff=tariff)
    try:
        async for delta in stream:
            if delta.usage is not None:
                record.usage = delta.usage
            if delta.text:
                record.add(delta.text)
                yield Token(delta.text)
    except ProviderError as error:
        logger.warning("The language model failed: %s", error)
        await record.save(Exchange.Status.FAILED, error_message=error.message)
        raise
    except BaseException:
        # Cancelled (the user pressed stop, or left): keep what was said so far.
        await asyncio.shield(record.save(Exchange.Status.CANCELLED))
        raise
    finally:
        await stream.aclose()
    check_started = time.perf_counter()
    checks = await in_thread(answer_checks, outcome=outcome, answer=record.answer, sources=sources)
    record.check_ms = clock.ms(check_started)
    await record.save(Exchange.Status.DONE, checks=checks)
    citations = cited_numbers(record.answer, len(sources))
    notices = (
        await in_thread(expiry_notices, sources=sources, citations=citations) if citations else []
    )
    yield Done(
        conversation_id=conversation_id,
        exchange_id=exchange_id,
        answer=record.answer,
        outcome=outcome,
        provider=context.provider.label,
        citations=citations,
        usage=record.priced_usage,
        timings=record.timings(),
        notices=notices,
        checks=checks,
    )


def answer_checks(*, outcome: str, answer: str, sources: list[dict]) -> dict:
    """A generated answer's sentences checked against the sources they cite; the other
    answers (quotes, a curated correction, no passage) are marked as such, not checked."""
    if outcome != Exchange.Outcome.GENERATED:
        return not_checked(outcome)
    passages = {source["number"]: source["text"] for source in sources}
    point_ids = {source["number"]: source["id"] for source in sources}

    def stored_vectors(numbers: list[int]) -> dict[int, list[float]]:
        found = stored_passage_vectors([point_ids[number] for number in numbers])
        return {n: found[point_ids[n]] for n in numbers if point_ids[n] in found}

    return check_answer(answer=answer, passages=passages, stored_vectors=stored_vectors)


def _answer_stream(
    context: AskContext,
    question: str,
    results: list[Result],
    correction: Correction | None,
    clock: _Clock,
) -> tuple[str, AsyncIterator[Delta]]:
    """The outcome of the answer, and the stream of its text (not started yet)."""
    if correction is not None:
        return Exchange.Outcome.CORRECTION, _say(correction.answer)
    if not results:
        return Exchange.Outcome.NO_ANSWER, _say(no_answer_message(context))
    passages = [_numbered(number, result) for number, result in enumerate(results, start=1)]
    prompt = build_prompt(
        template=context.system_prompt,
        question=question,
        passages=passages,
        provider=context.provider,
        today=timezone.localdate(),
    )
    outcome = (
        Exchange.Outcome.GENERATED if context.provider.generative else Exchange.Outcome.EXTRACTIVE
    )
    return outcome, _timed(context.provider.stream(prompt), clock)


@dataclass
class _Recorder:
    """The answer as it streams, and its timings, until it is saved."""

    exchange_id: int
    outcome: str
    clock: _Clock
    tariff: Tariff
    usage: Usage | None = None
    first_token_ms: int | None = None
    check_ms: int = 0
    pieces: list[str] = field(default_factory=list)

    @property
    def answer(self) -> str:
        return "".join(self.pieces)

    @property
    def priced_usage(self) -> Usage:
        return self.tariff.priced(self.usage)

    def add(self, text: str) -> None:
        if self.first_token_ms is None:
            self.first_token_ms = self.clock.ms()
        self.pieces.append(text)

    def timings(self) -> dict[str, int]:
        first = self.first_token_ms or 0
        model_wait = round(self.clock.model_wait * 1000)
        return {
            "first_token_ms": first,
            "model_wait_ms": model_wait,
            # What Cassandre adds before the first token: all but the model's own latency.
            "overhead_ms": max(first - model_wait, 0),
            # Checking the citations once the answer is complete.
            "check_ms": self.check_ms,
            "total_ms": self.clock.ms(),
        }

    async def save(
        self, status: str, *, error_message: str = "", checks: dict | None = None
    ) -> None:
        await in_thread(
            finish_exchange,
            exchange_id=self.exchange_id,
            status=status,
            outcome=self.outcome,
            answer=self.answer,
            usage=self.priced_usage,
            first_token_ms=self.first_token_ms,
            total_ms=self.clock.ms(),
            error_message=error_message,
            checks=checks,
        )


async def standalone_question(context: AskContext, clock: _Clock) -> str:
    """The question as it reads without the conversation before it.

    A language model rewrites it; without one (or if it fails), a short follow-up is read
    after the previous question, which is what retrieval needs most.
    """
    question = context.anonymized_question
    if not context.history:
        return question
    if context.provider.generative:
        started = time.perf_counter()
        try:
            rewritten = await context.provider.complete(
                rewrite_messages(context.history, question), max_tokens=REWRITE_MAX_TOKENS
            )
        except ProviderError as error:
            logger.warning("Could not rewrite a follow-up question: %s", error)
        else:
            if rewritten and len(rewritten) <= 3 * len(question) + 200:
                return rewritten
        finally:
            clock.model_wait += time.perf_counter() - started
    return follow_up_with_previous(context.history[-1][0], question)


def follow_up_with_previous(previous: str, question: str) -> str:
    lowered = question.lower()
    if len(question.split()) <= SHORT_FOLLOW_UP_WORDS or lowered.startswith(FOLLOW_UP_OPENINGS):
        return f"{previous} {question}"
    return question


def no_answer_message(context: AskContext) -> str:
    """The answer when no passage answers: where nothing was found, and whom to ask."""
    category = context.category
    if category is not None:
        found = _(
            "Je n'ai trouvé dans les documents de « %(category)s » aucun passage qui réponde "
            "à cette question."
        ) % {"category": category.name}
    else:
        found = _("Je n'ai trouvé dans les documents aucun passage qui réponde à cette question.")
    if category is not None and category.contact:
        # « adressez-vous à le service RH »: any contact reads well after a colon.
        advice = _("Pour une réponse sûre, contactez : %(contact)s.") % {
            "contact": category.contact
        }
    else:
        advice = _("Reformulez la question, ou adressez-vous au service concerné.")
    return f"{found} {advice}"


def _numbered(number: int, result: Result) -> NumberedPassage:
    return NumberedPassage(
        number=number, title=result.title, page=result.page, text=result.text, hint=result.hint
    )


async def _say(text: str) -> AsyncIterator[Delta]:
    """A prepared answer, streamed word by word like a generated one."""
    for piece in re.findall(r"\S+\s*|\s+", text):
        yield Delta(text=piece)


class _RequestedNow:
    """`stream`, its first item asked for at once in a task of its own: the request to the
    model leaves while the caller does other work, and its wait overlaps that work."""

    def __init__(self, stream: AsyncIterator[Delta]) -> None:
        self._stream = stream
        self._first = asyncio.ensure_future(anext(stream, None))

    def __aiter__(self) -> AsyncIterator[Delta]:
        return self._rest()

    async def _rest(self) -> AsyncIterator[Delta]:
        first = await self._first
        if first is None:
            return
        yield first
        async for delta in self._stream:
            yield delta

    async def aclose(self) -> None:
        """Stop the request (and close the stream) when it will not be read to its end."""
        if not self._first.done():
            self._first.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._first
        await self._stream.aclose()


async def _timed(stream: AsyncIterator[Delta], clock: _Clock) -> AsyncIterator[Delta]:
    """The provider's stream, counting the wait for its first token as the model's time."""
    started = time.perf_counter()
    first = True
    async for delta in stream:
        if first and delta.text:
            clock.model_wait += time.perf_counter() - started
            first = False
        yield delta
