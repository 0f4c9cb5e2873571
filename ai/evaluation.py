"""Retrieval evaluation: how high each question's expected passage ranks, per search mode.

A question file lists questions with what should be found: an expected document (by file
name or title) and/or an expected answer (text the passage must contain). For each mode
the rank of a question is the rank of the first of its top `DEPTH` passages that comes from
the expected document and contains the expected answer (whichever of the two is given);
recall@k is the share of questions ranked k or better, MRR@10 the mean of 1/rank (0 when
not in the top 10). Results are documents (each through its best passages), ranked without
a threshold.

The threshold is measured apart: the share of these questions that get an answer (a
hybrid result at or above its threshold), and, for a file of questions the category must
not answer, the share it refuses.
"""

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ai.rerank.base import Reranker
from ai.retrieval import Mode, Result, search_passages
from common.question_files import QuestionFileError, read_table
from common.spreadsheets import inert_row
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
    answered: float | None = None
    """Share of the questions with a hybrid result at or above its threshold."""
    refused: float | None = None
    """Share of the out-of-scope questions without one."""


@dataclass(frozen=True)
class Scope:
    """What decides whether a question gets an answer: as the search route applies it."""

    thresholds: Mapping[int, float] = field(default_factory=dict)
    default_threshold: float = 0.0
    reranker: Reranker | None = None

    def answers(self, results: Sequence[Result]) -> bool:
        return any(
            result.score >= self.thresholds.get(result.category_id, self.default_threshold)
            for result in results
        )


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
    scope: Scope | None = None,
    out_of_scope: Sequence[Question] = (),
    on_progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Search each case's question in each mode and rank what it expects; with a `scope`,
    also count the cases answered and the `out_of_scope` questions refused.
    `on_progress(done)` after each question."""
    scope = scope or Scope()
    outcomes, answered = [], 0
    for done, case in enumerate(cases, start=1):
        ranks: dict[Mode, int | None] = {}
        tops: dict[Mode, str] = {}
        for mode in modes:
            results = _ranked(case.question.text, category_ids, depth, mode, scope)
            ranks[mode] = first_hit_rank(results, case)
            tops[mode] = (results[0].filename or results[0].title) if results else ""
            if mode == Mode.HYBRID:
                answered += scope.answers(results)
        outcomes.append(QuestionOutcome(case.question, ranks, tops))
        if on_progress is not None:
            on_progress(done)
    refused = sum(
        not scope.answers(_ranked(question.text, category_ids, depth, Mode.HYBRID, scope))
        for question in out_of_scope
    )
    metrics = [
        mode_metrics(mode, [outcome.ranks[mode] for outcome in outcomes], depth=depth)
        for mode in modes
    ]
    return Evaluation(
        tuple(modes),
        metrics,
        outcomes,
        answered=answered / len(cases) if cases and Mode.HYBRID in modes else None,
        refused=refused / len(out_of_scope) if out_of_scope else None,
    )


def _ranked(
    question: str, category_ids: Sequence[int] | None, depth: int, mode: Mode, scope: Scope
) -> list[Result]:
    """The ranking of `question`, every candidate kept whatever its score."""
    return search_passages(
        question, category_ids=category_ids, limit=depth, mode=mode, reranker=scope.reranker
    )


def first_hit_rank(results: Sequence[Result], case: Case) -> int | None:
    """The rank (from 1) of the first result that is what `case` expects, None if absent."""
    answer = normalize_question(case.question.expected_answer)
    for rank, result in enumerate(results, start=1):
        if case.document_ids is not None and result.document_id not in case.document_ids:
            continue
        texts = [result.text, *(other.text for other in result.others)]
        if answer and not any(answer in normalize_question(text) for text in texts):
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
    """One row a question: its ranks (empty when not found) and top document per mode; text
    from the question file and the documents is made inert for spreadsheets."""
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
            inert_row(
                [outcome.question.text, outcome.question.expected]
                + [outcome.ranks[mode] or "" for mode in modes]
                + [outcome.top_documents[mode] for mode in modes]
            )
        )
    return output.getvalue()
