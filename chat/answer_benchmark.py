"""Answers to a list of questions from several providers side by side, in a workbook.

`manage.py benchmark` drives it: the questions come from a column of a CSV or XLSX file,
every provider answers every question through the chat's own pipeline (`answer_question`),
several at once, and each question becomes a row with, per provider, the answer, its
sources, its latency, its tokens, its outcome or error, and its faithfulness: the share of
its sentences the citation check did not flag (`ai.citation_check`; empty for an answer
that is not generated). The conversations the answers
created are deleted at the end: a benchmark is not people asking.
"""

import asyncio
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from ai.citation_check import faithfulness
from ai.llm import Provider
from ai.llm.extractive import ExtractiveProvider
from chat.answering import Done, Sources, Token, answer_question, in_thread
from chat.models import Conversation
from common.errors import UserError
from common.spreadsheets import append_text_row

logger = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 4
PROVIDER_COLUMNS = (
    "answer",
    "sources",
    "latency ms",
    "first token ms",
    "prompt tokens",
    "completion tokens",
    "outcome",
    "faithfulness",
    "error",
)


@dataclass(frozen=True)
class ProviderAnswer:
    """One provider's answer to one question; `error` says why there is none."""

    answer: str = ""
    sources: str = ""
    latency_ms: int | None = None
    first_token_ms: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    outcome: str = ""
    faithfulness: float | None = None
    error: str = ""

    def cells(self) -> list[object]:
        return [
            self.answer,
            self.sources,
            self.latency_ms,
            self.first_token_ms,
            self.prompt_tokens,
            self.completion_tokens,
            self.outcome,
            None if self.faithfulness is None else round(self.faithfulness, 3),
            self.error,
        ]


@dataclass(frozen=True)
class BenchmarkRow:
    question: str
    answers: dict[str, ProviderAnswer]  # by provider name, in the order given


@dataclass(frozen=True)
class ProviderSummary:
    name: str
    answered: int
    failed: int
    median_latency_ms: float | None
    median_first_token_ms: float | None
    mean_faithfulness: float | None


async def run_answer_benchmark(
    *,
    questions: Sequence[str],
    providers: dict[str, Provider | None],
    user_id: int,
    category_slug: str,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_answer: Callable[[], None] | None = None,
) -> list[BenchmarkRow]:
    """Every question answered by every provider (None: the category's own), `concurrency`
    answers at a time; `on_answer()` after each."""
    slots = asyncio.Semaphore(concurrency)
    conversation_ids: set[int] = set()

    async def answer(question: str, provider: Provider | None) -> ProviderAnswer:
        async with slots:
            result = await _answer_one(
                question=question,
                provider=provider,
                user_id=user_id,
                category_slug=category_slug,
                conversation_ids=conversation_ids,
            )
        if on_answer is not None:
            on_answer()
        return result

    try:
        # Loads the models and opens the vector store, which the first timed answer would
        # otherwise count; extractive, so no language model is paid for it.
        await _answer_one(
            question=questions[0],
            provider=ExtractiveProvider(),
            user_id=user_id,
            category_slug=category_slug,
            conversation_ids=conversation_ids,
        )
        answers = iter(
            await asyncio.gather(
                *(
                    answer(question, provider)
                    for question in questions
                    for provider in providers.values()
                )
            )
        )
    finally:
        await in_thread(_delete_conversations, ids=conversation_ids)
    return [
        BenchmarkRow(question, {name: next(answers) for name in providers})
        for question in questions
    ]


async def _answer_one(
    *,
    question: str,
    provider: Provider | None,
    user_id: int,
    category_slug: str,
    conversation_ids: set[int],
) -> ProviderAnswer:
    """One answer, timed from the question to the last token; an error is kept, not raised.

    The id of the conversation the answer opens is added to `conversation_ids`.
    """
    started = time.perf_counter()
    first_token_ms = None
    sources: list[dict] = []
    try:
        async for event in answer_question(
            user_id=user_id, question=question, category_slug=category_slug, provider=provider
        ):
            if isinstance(event, Sources):
                conversation_ids.add(event.conversation_id)
                sources = event.sources
            elif isinstance(event, Token) and first_token_ms is None:
                first_token_ms = _ms_since(started)
            elif isinstance(event, Done):
                done = event
    except UserError as error:
        return ProviderAnswer(
            sources=sources_summary(sources),
            latency_ms=_ms_since(started),
            error=error.message,
        )
    except Exception as error:
        # One broken answer must not lose the others of a long run: it is logged and kept.
        logger.exception("A benchmark answer failed.")
        return ProviderAnswer(
            sources=sources_summary(sources),
            latency_ms=_ms_since(started),
            error=type(error).__name__,
        )
    return ProviderAnswer(
        answer=done.answer,
        sources=sources_summary(sources),
        latency_ms=_ms_since(started),
        first_token_ms=first_token_ms,
        prompt_tokens=done.usage.prompt_tokens if done.usage else None,
        completion_tokens=done.usage.completion_tokens if done.usage else None,
        outcome=done.outcome,
        faithfulness=faithfulness(done.checks),
    )


def sources_summary(sources: list[dict]) -> str:
    """« [1] Guide, p. 3; [2] Note » — the sources as one cell."""
    return "; ".join(
        f"[{source['number']}] {source['title']}"
        + (f", p. {source['page']}" if source["page"] else "")
        for source in sources
    )


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _delete_conversations(*, ids: set[int]) -> None:
    Conversation.objects.filter(pk__in=ids).delete()


def summarize(rows: Sequence[BenchmarkRow], *, name: str) -> ProviderSummary:
    """How provider `name` did over the whole run: answers, errors, median times."""
    answers = [row.answers[name] for row in rows]
    latencies = [a.latency_ms for a in answers if not a.error and a.latency_ms is not None]
    first_tokens = [a.first_token_ms for a in answers if a.first_token_ms is not None]
    faithful = [a.faithfulness for a in answers if a.faithfulness is not None]
    return ProviderSummary(
        name=name,
        answered=sum(1 for answer in answers if not answer.error),
        failed=sum(1 for answer in answers if answer.error),
        median_latency_ms=statistics.median(latencies) if latencies else None,
        median_first_token_ms=statistics.median(first_tokens) if first_tokens else None,
        mean_faithfulness=statistics.mean(faithful) if faithful else None,
    )


def write_benchmark_workbook(
    rows: Sequence[BenchmarkRow], *, providers: Sequence[str], path: Path
) -> None:
    """One row a question; for each provider, the `PROVIDER_COLUMNS` headed « name: column »."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "answers"
    append_text_row(
        sheet,
        ["question", *(f"{name}: {column}" for name in providers for column in PROVIDER_COLUMNS)],
    )
    for row in rows:
        append_text_row(
            sheet,
            [row.question, *(cell for name in providers for cell in row.answers[name].cells())],
        )
    sheet.freeze_panes = "B2"
    workbook.save(path)
