"""The retrieval inspector: what each search mode finds for a question, and how fast.

Staff see why an answer was built from the passages it was: the query as it is really
searched (personal data removed, glossary abbreviations spelled out), then the ranking of
the hybrid, dense and BM25 searches side by side, each with its scores and its time.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from ai.embeddings.base import EmbeddingUnavailable
from ai.retrieval import Mode, Result, search_passages
from ai.vectorstore import VectorStoreError
from chat.services import prepare_question
from documents.selectors import passages_wanted, relevance_thresholds

MODES = (Mode.HYBRID, Mode.DENSE, Mode.BM25)


@dataclass(frozen=True)
class Passage:
    rank: int
    result: Result
    url: str
    """The passage in the document viewer, or the correction in the admin."""


@dataclass(frozen=True)
class ModeRanking:
    mode: Mode
    passages: list[Passage]
    milliseconds: int
    error: str = ""


@dataclass(frozen=True)
class Inspection:
    question: str
    query: str
    """The question as searched: anonymised and with the glossary expansions."""
    limit: int
    thresholds: dict[int, float]
    rankings: list[ModeRanking]


def inspect_retrieval(
    *,
    question: str,
    category_ids: Sequence[int] | None,
    limit: int | None = None,
    modes: Sequence[Mode] = MODES,
) -> Inspection:
    """Search `question` in `category_ids` (None: every category) with each of `modes`.

    The search is the chat's: same query preparation, same per-category relevance
    thresholds, same number of passages unless `limit` says otherwise. A mode whose
    search fails (vector store or embedding model unreachable) reports why, and the
    others still run: BM25 needs no embedding model.
    """
    query = prepare_question(question, category_ids=category_ids)
    limit = limit or passages_wanted(category_ids)
    thresholds = relevance_thresholds(category_ids)
    rankings = [
        _ranking(query, mode=mode, category_ids=category_ids, limit=limit, thresholds=thresholds)
        for mode in modes
    ]
    return Inspection(
        question=question, query=query, limit=limit, thresholds=thresholds, rankings=rankings
    )


def _ranking(
    query: str,
    *,
    mode: Mode,
    category_ids: Sequence[int] | None,
    limit: int,
    thresholds: dict[int, float],
) -> ModeRanking:
    started = time.perf_counter()
    try:
        results = search_passages(
            query, category_ids=category_ids, limit=limit, mode=mode, thresholds=thresholds
        )
    except VectorStoreError as error:
        message = _("La base des passages (Qdrant) ne répond pas : %(error)s") % {"error": error}
        return ModeRanking(mode=mode, passages=[], milliseconds=_since(started), error=message)
    except EmbeddingUnavailable as error:
        message = _("Le modèle d'embeddings est indisponible : %(error)s") % {"error": error}
        return ModeRanking(mode=mode, passages=[], milliseconds=_since(started), error=message)
    return ModeRanking(
        mode=mode,
        passages=[
            Passage(rank=rank, result=result, url=passage_url(result))
            for rank, result in enumerate(results, start=1)
        ],
        milliseconds=_since(started),
    )


def passage_url(result: Result) -> str:
    """The document viewer on the passage's page, the passage marked; a correction's admin."""
    if result.document_id is not None:
        query = (
            {"page": result.page, "passage": result.id} if result.page else {"passage": result.id}
        )
        return reverse("documents:view", args=[result.document_id]) + "?" + urlencode(query)
    if result.correction_id is not None:
        return reverse("admin:documents_correction_change", args=[result.correction_id])
    return ""


def _since(started: float) -> int:
    return round(1000 * (time.perf_counter() - started))
