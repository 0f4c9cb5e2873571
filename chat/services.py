"""Answering a question with passages: the path every search interface takes."""

from collections.abc import Sequence

from ai.anonymizer import anonymize_if_enabled
from ai.retrieval import Mode, Result, search_passages
from documents.glossary import expand_query
from documents.selectors import passages_wanted, relevance_thresholds


def prepare_question(question: str, *, category_ids: Sequence[int] | None) -> str:
    """The question as it is searched: personal data removed, abbreviations expanded."""
    return expand_query(anonymize_if_enabled(question), category_ids)


def find_passages(
    question: str,
    *,
    category_ids: Sequence[int] | None = None,
    limit: int | None = None,
    mode: Mode = Mode.HYBRID,
) -> list[Result]:
    """Passages for `question`; `limit` defaults to the category's k (5 across several)."""
    query = prepare_question(question, category_ids=category_ids)
    return search_passages(
        query,
        category_ids=category_ids,
        limit=limit or passages_wanted(category_ids),
        mode=mode,
        thresholds=relevance_thresholds(category_ids),
    )
