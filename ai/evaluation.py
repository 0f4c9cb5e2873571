"""Retrieval evaluation: how high each question's expected passage ranks, per search mode.

A question file lists questions with what should be found: an expected document (by file
name or title) and/or an expected answer (text the passage must contain). For each mode
the rank of a question is the rank of the first of its top `DEPTH` passages that comes from
the expected document and contains the expected answer (whichever of the two is given);
recall@k is the share of questions ranked k or better, MRR@10 the mean of 1/rank (0 when
not in the top 10).
"""

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ai.retrieval import Mode, Result, search_passages
from common.question_files import QuestionFileError, read_table
from common.text import normalize_question

DEPTH = 10
CUTOFFS = (1, 5, 10)
DEFAULT_MODES = (Mode.BM25, Mode.DENSE, Mode.HYBRID)
QUESTION_COLUMN = "question"
DOCUMENT_COLUMN = "expected_document"
ANSWER_COLUMN = "expected_answer"


@dataclass(frozen=True)
class Question:
    text: str
    expected_document: str = ""
    expected_answer: str = ""
    row: int = 0  # in the file, header included, for warnings

    @property
    def expected(self) -> str:
        return " / ".join(part for part in (self.expected_document, self.expected_answer) if part)


@dataclass(frozen=True)
class Case:
    """A question ready to check: `document_ids` None when no document is expected."""

    question: Question
    document_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class ModeMetrics:
    mode: Mode
    questions: int
    recall: dict[int, float]  # cutoff → share of the questions ranked within it
    mrr: float


@dataclass(frozen=True)
class QuestionOutcome:
    question: Question
    ranks: dict[Mode, int | None]
    top_documents: dict[Mode, str]


@dataclass(frozen=True)
class Evaluation:
    modes: tuple[Mode, ...]
    metrics: list[ModeMetrics]
    outcomes: list[QuestionOutcome]


def read_questions(
    data: bytes,
    *,
    filename: str,
    question_column: str = QUESTION_COLUMN,
    document_column: str = DOCUMENT_COLUMN,
    answer_column: str = ANSWER_COLUMN,
) -> list[Question]:
    """The questions of a question file (`common.question_files`), rows without a question
    left out. Raises `QuestionFileError` when the question column, or both the document and
    the answer columns, are missing."""
    table = read_table(data, filename=filename)
    question, document, answer = (
        table.column(name) for name in (question_column, document_column, answer_column)
    )
    if question is None:
        raise QuestionFileError(
            _("Pas de colonne « %(column)s » dans le fichier (colonnes : %(columns)s)."),
            {"column": question_column, "columns": table.listing() or _("aucune")},
        )
    if document is None and answer is None:
        raise QuestionFileError(
            _(
                "Ni « %(document)s » ni « %(answer)s » ne sont des colonnes du fichier "
                "(colonnes : %(columns)s) : rien ne dit ce qui doit être trouvé."
            ),
            {
                "document": document_column,
                "answer": answer_column,
                "columns": table.listing() or _("aucune"),
            },
        )
    texts = table.cells(question)
    documents = table.cells(document) if document is not None else [""] * len(texts)
    answers = table.cells(answer) if answer is not None else [""] * len(texts)
    return [
        Question(text=text, expected_document=expected, expected_answer=found, row=number)
        for number, (text, expected, found) in enumerate(
            zip(texts, documents, answers, strict=True), start=table.first_line
        )
        if text
    ]


def evaluate(
    cases: Sequence[Case],
    *,
    category_ids: Sequence[int] | None,
    modes: Sequence[Mode] = DEFAULT_MODES,
    depth: int = DEPTH,
    on_progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Search each case's question in each mode and rank what it expects; `on_progress(done)`."""
    outcomes = []
    for done, case in enumerate(cases, start=1):
        ranks: dict[Mode, int | None] = {}
        tops: dict[Mode, str] = {}
        for mode in modes:
            results = search_passages(
                case.question.text, category_ids=category_ids, limit=depth, mode=mode
            )
            ranks[mode] = first_hit_rank(results, case)
            tops[mode] = (results[0].filename or results[0].title) if results else ""
        outcomes.append(QuestionOutcome(case.question, ranks, tops))
        if on_progress is not None:
            on_progress(done)
    metrics = [
        mode_metrics(mode, [outcome.ranks[mode] for outcome in outcomes], depth=depth)
        for mode in modes
    ]
    return Evaluation(tuple(modes), metrics, outcomes)


def first_hit_rank(results: Sequence[Result], case: Case) -> int | None:
    """The rank (from 1) of the first result that is what `case` expects, None if absent."""
    answer = normalize_question(case.question.expected_answer)
    for rank, result in enumerate(results, start=1):
        if case.document_ids is not None and result.document_id not in case.document_ids:
            continue
        if answer and answer not in normalize_question(result.text):
            continue
        return rank
    return None


def mode_metrics(
    mode: Mode, ranks: Sequence[int | None], *, cutoffs: Sequence[int] = CUTOFFS, depth=DEPTH
) -> ModeMetrics:
    return ModeMetrics(
        mode=mode,
        questions=len(ranks),
        recall={cutoff: recall_at(ranks, cutoff) for cutoff in cutoffs},
        mrr=mean_reciprocal_rank(ranks, depth=depth),
    )


def recall_at(ranks: Sequence[int | None], cutoff: int) -> float:
    """Share of the questions whose expected passage ranks `cutoff` or better."""
    if not ranks:
        return 0.0
    return sum(1 for rank in ranks if rank is not None and rank <= cutoff) / len(ranks)


def mean_reciprocal_rank(ranks: Sequence[int | None], *, depth: int = DEPTH) -> float:
    """Mean of 1/rank, a question not found within `depth` counting 0."""
    if not ranks:
        return 0.0
    return sum(1 / rank for rank in ranks if rank is not None and rank <= depth) / len(ranks)


def report_csv(evaluation: Evaluation) -> str:
    """One row a question: its ranks (empty when not found) and top document per mode."""
    output = io.StringIO()
    writer = csv.writer(output)
    modes = evaluation.modes
    writer.writerow(
        ["question", "expected"]
        + [f"rank_{mode}" for mode in modes]
        + [f"top_{mode}" for mode in modes]
    )
    for outcome in evaluation.outcomes:
        writer.writerow(
            [outcome.question.text, outcome.question.expected]
            + [outcome.ranks[mode] or "" for mode in modes]
            + [outcome.top_documents[mode] for mode in modes]
        )
    return output.getvalue()
