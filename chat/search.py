"""From a question to passages: the one route every interface takes.

The search page, the search API, the `search` command, the backoffice inspector and the
chat all go through `plan_search` then `run_search`: the question as it is searched
(personal data removed, the glossary's abbreviations spelled out), how many passages (the
category's k), which relevance thresholds apply (the category's, else the site's), which
reranker scores the candidates, which documents are searched (those in force today, unless
the plan says otherwise), and one error, `SearchUnavailable`, when the vector store
or the embedding model cannot answer. The inspector therefore shows exactly what the chat
searched.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ai.anonymizer import anonymize_if_enabled
from ai.embeddings import EmbeddingUnavailable
from ai.relevance import site_threshold
from ai.rerank import Reranker, reranker_for
from ai.retrieval import Mode, Ranking, Result, rank_passages
from ai.vectorstore import VectorStoreError
from common.errors import UserError
from documents.glossary import expand_query
from documents.models import Correction
from documents.selectors import (
    active_generations,
    passages_wanted,
    relevance_thresholds,
    rerank_model_of,
)

logger = logging.getLogger(__name__)


class SearchUnavailable(UserError):
    """The vector store or the embedding model did not answer; the cause is chained."""

    code = "search"
    status = 503
    default_message = _(
        "La recherche dans les documents est momentanément indisponible. Réessayez dans un "
        "instant ; si cela dure, prévenez l'équipe informatique."
    )


@dataclass(frozen=True)
class SearchPlan:
    """A search before it runs: what is searched, where, and how many passages are kept."""

    question: str
    query: str
    """The question as searched: anonymised, the glossary's abbreviations spelled out."""
    category_ids: list[int] | None
    """The categories searched; None: every category (staff)."""
    limit: int
    thresholds: dict[int, float]
    """The categories' own thresholds (calibrated relevance, 0 to 1)."""
    default_threshold: float
    """The site's threshold, for the categories without one."""
    reranker: Reranker | None
    """A reranking API (the category's, else the site's); None: the offline reranker."""
    include_out_of_force: bool = False
    """Whether documents not in force today (expired, repealed, not yet) are searched too."""


def plan_search(
    question: str,
    *,
    category_ids: Sequence[int] | None,
    limit: int | None = None,
    anonymised: bool = False,
    include_out_of_force: bool = False,
) -> SearchPlan:
    """The search of `question` in `category_ids`; `limit` defaults to the category's k (5
    across several). `anonymised`: the caller already removed the personal data (the chat
    does, before it rewrites a follow-up question). Documents out of force today are left
    out unless `include_out_of_force` (the inspector may ask for them)."""
    ids = None if category_ids is None else list(category_ids)
    prepared = question if anonymised else anonymize_if_enabled(question)
    return SearchPlan(
        question=question,
        query=expand_query(prepared, ids),
        category_ids=ids,
        limit=limit or passages_wanted(ids),
        thresholds=relevance_thresholds(ids),
        default_threshold=site_threshold(),
        reranker=reranker_for(rerank_model_of(ids)),
        include_out_of_force=include_out_of_force,
    )


def run_search(plan: SearchPlan, *, mode: Mode = Mode.HYBRID) -> Ranking:
    """The ranking of `plan` by `mode`; raises `SearchUnavailable`."""
    try:
        return rank_passages(
            plan.query,
            category_ids=plan.category_ids,
            limit=plan.limit,
            mode=mode,
            thresholds=plan.thresholds,
            default_threshold=plan.default_threshold,
            reranker=plan.reranker,
            searchable=partial(active_generations, include_out_of_force=plan.include_out_of_force),
        )
    except (VectorStoreError, EmbeddingUnavailable) as error:
        logger.warning("A search failed: %s", error, exc_info=True)
        raise SearchUnavailable(detail=str(error)) from error


def find_passages(
    question: str,
    *,
    category_ids: Sequence[int] | None = None,
    limit: int | None = None,
    mode: Mode = Mode.HYBRID,
) -> list[Result]:
    """The passages for `question` (search page, API, command): those reaching the
    threshold, then, to fill `limit`, the nearest ones under it (`Result.relevant` False) —
    a search lists what comes closest, where an answer keeps to what is relevant.
    Raises `SearchUnavailable`."""
    plan = plan_search(question, category_ids=category_ids, limit=limit)
    ranking = run_search(plan, mode=mode)
    return [*ranking.results, *ranking.dropped][: plan.limit]


def search_for_answer(
    question: str, *, asked: str, category_ids: Sequence[int] | None
) -> tuple[SearchPlan, list[Result], Correction | None]:
    """The chat's search: the passages for `question` (anonymised, standalone), and the
    curated correction that answers it, if any, whether worded as searched or as `asked`
    (anonymised too). Raises `SearchUnavailable`."""
    plan = plan_search(question, category_ids=category_ids, anonymised=True)
    results = run_search(plan).results
    ranked_first = results[0].correction_id if results else None
    correction = Correction.objects.in_categories(plan.category_ids).answering(
        {question, asked}, ranked_first=ranked_first
    )
    return plan, results, correction


def passage_url(result: Result) -> str | None:
    """The document viewer at the passage's page, the passage marked (None: a correction)."""
    if result.document_id is None:
        return None
    query = {"page": result.page, "passage": result.id} if result.page else {"passage": result.id}
    return f"{reverse('documents:view', args=[result.document_id])}?{urlencode(query)}"


def result_as_dict(result: Result) -> dict[str, object]:
    """A passage as the API, the commands and the chat's sources show it, with the other
    passages of its document that matched (`others`)."""
    return {
        **_passage_as_dict(result),
        "others": [_passage_as_dict(other) for other in result.others],
    }


def _passage_as_dict(result: Result) -> dict[str, object]:
    return {
        "id": result.id,
        "score": round(result.score, 3),
        "relevant": result.relevant,
        "kind": result.kind,
        "document_id": result.document_id,
        "correction_id": result.correction_id,
        "title": result.title,
        "filename": result.filename,
        "page": result.page,
        "heading": result.heading,
        "text": result.text,
        "highlighted": result.highlighted,
        "url": passage_url(result),
    }
