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
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from openpyxl import load_workbook

from ai.retrieval import Mode, Result, search_passages
from common.text import normalize_question

DEPTH = 10
CUTOFFS = (1, 5, 10)
DEFAULT_MODES = (Mode.BM25, Mode.DENSE, Mode.HYBRID)
QUESTION_COLUMN = "question"
DOCUMENT_COLUMN = "expected_document"
ANSWER_COLUMN = "expected_answer"
_DELIMITERS = (";", ",", "\t")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")


class QuestionFileError(ValueError):
    """The question file cannot be read: unknown format, missing columns, bad encoding."""


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
    stream: IO[bytes],
    *,
    filename: str,
    question_column: str = QUESTION_COLUMN,
    document_column: str = DOCUMENT_COLUMN,
    answer_column: str = ANSWER_COLUMN,
) -> list[Question]:
    """The questions of a CSV (`,` `;` or tab), XLSX (first sheet) or JSONL file.

    Column names are matched case-insensitively; rows without a question are skipped.
    Raises QuestionFileError for an unknown format or when the question column, or both
    the document and the answer columns, are missing.
    """
    suffix = PurePath(filename).suffix.lower()
    rows = _read_rows(stream.read(), suffix=suffix)
    columns = {name.strip().lower() for row in rows for name in row}
    wanted = [
        column.strip().lower() for column in (question_column, document_column, answer_column)
    ]
    question_key, document_key, answer_key = wanted
    if question_key not in columns:
        raise QuestionFileError(
            f"Pas de colonne « {question_column} » dans le fichier "
            f"(colonnes : {_listing(columns)})."
        )
    if document_key not in columns and answer_key not in columns:
        raise QuestionFileError(
            f"Ni « {document_column} » ni « {answer_column} » ne sont des colonnes du fichier "
            f"(colonnes : {_listing(columns)}) : rien ne dit ce qui doit être trouvé."
        )
    questions = []
    # Row numbers as the admin sees them: after the header line, except in JSONL.
    first_row = 1 if suffix in _JSONL_SUFFIXES else 2
    for number, row in enumerate(rows, start=first_row):
        values = {name.strip().lower(): _cell(value) for name, value in row.items()}
        if values.get(question_key):
            questions.append(
                Question(
                    text=values[question_key],
                    expected_document=values.get(document_key, ""),
                    expected_answer=values.get(answer_key, ""),
                    row=number,
                )
            )
    return questions


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


def _read_rows(data: bytes, *, suffix: str) -> list[dict[str, object]]:
    if suffix == ".xlsx":
        return _xlsx_rows(data)
    if suffix in _JSONL_SUFFIXES:
        return _jsonl_rows(_decode(data))
    if suffix in (".csv", ".tsv", ".txt"):
        return _csv_rows(_decode(data))
    raise QuestionFileError(
        f"Format de fichier non pris en charge (« {suffix or 'sans extension'} ») : "
        "CSV, XLSX ou JSONL."
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on French Windows is Windows-1252.
        return data.decode("cp1252", errors="replace")


def _csv_rows(text: str) -> list[dict[str, object]]:
    header = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=header.count) if any(d in header for d in _DELIMITERS) else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def _jsonl_rows(text: str) -> list[dict[str, object]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise QuestionFileError(f"Ligne {number} : JSON invalide ({error.msg}).") from error
        if not isinstance(row, dict):
            raise QuestionFileError(f"Ligne {number} : un objet JSON est attendu.")
        rows.append(row)
    return rows


def _xlsx_rows(data: bytes) -> list[dict[str, object]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is no workbook
        raise QuestionFileError(f"Fichier XLSX illisible : {error}.") from error
    try:
        lines = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    if not lines:
        return []
    header = [_cell(name) for name in lines[0]]
    return [
        {name: value for name, value in zip(header, line, strict=False) if name}
        for line in lines[1:]
    ]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _listing(columns: set[str]) -> str:
    return ", ".join(sorted(columns)) or "aucune"
