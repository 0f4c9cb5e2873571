"""The retrieval inspector: what each search mode finds for a question, and how fast.

Staff see why an answer was built from the passages it was: the query as it is really
searched (personal data removed, glossary abbreviations spelled out), then the ranking of
the hybrid, dense and BM25 searches side by side, each with its relevance scores (one
scale for all), its time, who scored it (the offline reranker or a reranking API, and why
the API was not used when it failed), and the candidates dropped under the threshold.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from ai.embeddings.base import EmbeddingUnavailable
from ai.retrieval import Mode, Result
from chat.search import SearchPlan, SearchUnavailable, plan_search, run_search
from chat.search import passage_url as viewer_url

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
    dropped: list[Passage] = field(default_factory=list)
    """Candidates under their threshold, with their score."""
    reranker: str = ""
    fallback: str = ""
    """Why the reranking API was not used, when it failed."""


@dataclass(frozen=True)
class Inspection:
    question: str
    query: str
    """The question as searched: anonymised and with the glossary expansions."""
    limit: int
    thresholds: dict[int, float]
    default_threshold: float
    rankings: list[ModeRanking]
    include_out_of_force: bool = False
    """Whether documents not in force today were searched too."""


def inspect_retrieval(
    *,
    question: str,
    category_ids: Sequence[int] | None,
    limit: int | None = None,
    modes: Sequence[Mode] = MODES,
    include_out_of_force: bool = False,
) -> Inspection:
    """Search `question` in `category_ids` (None: every category) with each of `modes`.

    The search is the chat's (`chat.search`): same query preparation, same per-category
    relevance thresholds, same number of passages unless `limit` says otherwise, same
    documents unless `include_out_of_force` adds those not in force today. A mode whose
    search fails (vector store or embedding model unreachable) reports why, and the others
    still run: BM25 needs no embedding model.
    """
    plan = plan_search(
        question,
        category_ids=category_ids,
        limit=limit,
        include_out_of_force=include_out_of_force,
    )
    return Inspection(
        question=question,
        query=plan.query,
        limit=plan.limit,
        thresholds=plan.thresholds,
        default_threshold=plan.default_threshold,
        rankings=[_ranking(plan, mode=mode) for mode in modes],
        include_out_of_force=plan.include_out_of_force,
    )


def _ranking(plan: SearchPlan, *, mode: Mode) -> ModeRanking:
    started = time.perf_counter()
    try:
        ranking = run_search(plan, mode=mode)
    except SearchUnavailable as unavailable:
        return ModeRanking(
            mode=mode,
            passages=[],
            milliseconds=_since(started),
            error=_staff_reason(unavailable.__cause__),
        )
    return ModeRanking(
        mode=mode,
        passages=_numbered(ranking.results),
        milliseconds=_since(started),
        dropped=_numbered(ranking.dropped, first=len(ranking.results) + 1),
        reranker=ranking.reranker,
        fallback=ranking.fallback,
    )


def _numbered(results: Sequence[Result], *, first: int = 1) -> list[Passage]:
    return [
        Passage(rank=rank, result=result, url=passage_url(result))
        for rank, result in enumerate(results, start=first)
    ]


def _staff_reason(cause: BaseException | None) -> str:
    """Which part failed, with its own words: staff may read them, unlike other users."""
    if isinstance(cause, EmbeddingUnavailable):
        return _("Le modèle d'embeddings est indisponible : %(error)s") % {"error": cause}
    return _("La base des passages (Qdrant) ne répond pas : %(error)s") % {"error": cause}


def passage_url(result: Result) -> str:
    """The document viewer on the passage's page, the passage marked; a correction's admin."""
    if result.correction_id is not None and result.document_id is None:
        return reverse("admin:documents_correction_change", args=[result.correction_id])
    return viewer_url(result) or ""


def _since(started: float) -> int:
    return round(1000 * (time.perf_counter() - started))
