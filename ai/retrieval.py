"""Finding the passages that answer a question: candidates, document-level evidence, one
calibrated score, a threshold.

1. Candidates: the passages nearest the question (dense) and the best BM25 matches
   (sparse), and the documents whose whole text matches best (the document summaries,
   `ai.passages.summary_store`).
2. Grouped per document: a document is a candidate through its best passage, so a long
   document cannot fill the results with its passages and push a short one out; its other
   matching passages stay under it (`Result.others`). A curated correction is a group of
   its own.
3. Fused: weighted Reciprocal Rank Fusion of the dense ranking, the BM25 ranking and the
   document ranking — a group's score is the sum of weight / (RRF_K + rank).
4. Scored: every candidate gets one relevance score in [0, 1] (`ai.relevance`: the offline
   model, or a reranking API), the same scale in every mode.
5. Kept: candidates under their category's threshold are dropped (`Ranking.dropped`, for
   the inspector); in hybrid mode the others are ordered by score, in dense or BM25 mode by
   that search alone.

Only what the database says may be shown is: a `Searchable` callback (the caller's) gives
the active generation of each document found, and the passages of any other generation,
or of a document it leaves out, are dropped before they are ranked. While a document is
indexed again, its old generation stays the one searched until the new one is complete.
"""

import logging
import math
import statistics
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ai.embeddings import EmbeddingUnavailable, get_embedder
from ai.highlight import highlight
from ai.lexical import query_sparse_vector, text_terms, tokenize
from ai.passages import passage_store, summary_store
from ai.relevance import OFFLINE_MODEL
from ai.rerank.base import Reranker, RerankUnavailable
from ai.vectorstore import SearchHit, VectorStore
from ai.vectorstore.base import PayloadFilter

logger = logging.getLogger(__name__)

# Tuned on the dev halves of the evaluation sets (README, "Retrieval quality").
RRF_K = 3
DENSE_WEIGHT = 0.6
SPARSE_WEIGHT = 0.5
DOCUMENT_WEIGHT = 1.0
# Each search fetches this many hits (at least), and the reranker reorders this many groups.
CANDIDATES = 40
RERANKED = 30
# Other passages of the same document kept under its best one.
OTHERS_KEPT = 3
OFFLINE_RERANKER = "Cassandre"

Searchable = Callable[[Collection[int]], Mapping[int, str]]
"""Given the ids of the documents found, the active generation of each one that may be
shown (documents left out of the mapping are not shown at all)."""


class Mode(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"


@dataclass(frozen=True)
class Result:
    id: str
    score: float
    """The calibrated relevance, in [0, 1]."""
    kind: str
    category_id: int | None
    document_id: int | None
    correction_id: int | None
    title: str
    filename: str
    page: int | None
    heading: str
    text: str
    highlighted: str
    hint: str = ""
    others: tuple["Result", ...] = ()
    """Other passages of the same document that matched, best first."""
    relevant: bool = True
    """Whether the score reaches its category's threshold."""


@dataclass(frozen=True)
class Ranking:
    results: list[Result]
    dropped: list[Result]
    """The best `limit` candidates under their threshold (the inspector shows them)."""
    reranker: str
    """Who scored: the offline reranker, or a reranking API's name."""
    fallback: str = ""
    """Why the reranking API was not used for this search, when it failed."""


@dataclass
class _Group:
    """One candidate: a document (or a correction) and its passages found by the searches."""

    key: str
    hits: list[SearchHit] = field(default_factory=list)
    dense_rank: int | None = None
    dense_score: float | None = None
    sparse_rank: int | None = None
    sparse_score: float = 0.0
    document_rank: int | None = None
    document_score: float = 0.0
    document_similarity: float | None = None
    length: int = 0
    fused: float = 0.0
    dense_best: SearchHit | None = None
    sparse_best: SearchHit | None = None

    def add(self, hit: SearchHit) -> None:
        if all(known.id != hit.id for known in self.hits):
            self.hits.append(hit)

    @property
    def best(self) -> SearchHit:
        """The passage the group is shown by: the one the fusion weighs most."""
        if self.dense_best is None or self.sparse_best is None:
            return self.dense_best or self.sparse_best or self.hits[0]
        dense_part = DENSE_WEIGHT / (RRF_K + (self.dense_rank or 0))
        sparse_part = SPARSE_WEIGHT / (RRF_K + (self.sparse_rank or 0))
        return self.dense_best if dense_part >= sparse_part else self.sparse_best


def search_passages(
    query: str,
    *,
    category_ids: Sequence[int] | None = None,
    limit: int = 5,
    mode: Mode = Mode.HYBRID,
    thresholds: Mapping[int, float] | None = None,
    default_threshold: float = 0.0,
    reranker: Reranker | None = None,
    searchable: Searchable | None = None,
) -> list[Result]:
    """The best `limit` results of `rank_passages`, above their thresholds."""
    return rank_passages(
        query,
        category_ids=category_ids,
        limit=limit,
        mode=mode,
        thresholds=thresholds,
        default_threshold=default_threshold,
        reranker=reranker,
        searchable=searchable,
    ).results


def rank_passages(
    query: str,
    *,
    category_ids: Sequence[int] | None = None,
    limit: int = 5,
    mode: Mode = Mode.HYBRID,
    thresholds: Mapping[int, float] | None = None,
    default_threshold: float = 0.0,
    reranker: Reranker | None = None,
    searchable: Searchable | None = None,
) -> Ranking:
    """Rank the candidates for `query` within `category_ids` (None: every category).

    A result's category must reach its threshold (`thresholds`, else `default_threshold`,
    on the calibrated scale) to be kept. `reranker`: a reranking API that scores the
    candidates instead of the offline model (hybrid mode); when it fails, the offline
    model scores them and `Ranking.fallback` says why. In BM25 mode an embedding model
    that does not answer only costs the dense features. `searchable`: which documents, in
    which generation, may be shown (None: every passage stored).
    """
    offline = Ranking(results=[], dropped=[], reranker=OFFLINE_RERANKER)
    if category_ids is not None and not category_ids:
        return offline
    found, order = _candidates(
        query, category_ids=category_ids, mode=mode, limit=limit, searchable=searchable
    )
    if not order:
        return offline
    described = describe(found, query)
    scores = {group.key: OFFLINE_MODEL.probability(described[group.key]) for group in order}
    used, fallback = OFFLINE_RERANKER, ""
    if reranker is not None and mode == Mode.HYBRID:
        try:
            texts = [str(group.best.payload.get("text", "")) for group in order]
            scores = dict(
                zip([group.key for group in order], reranker.rerank(query, texts), strict=True)
            )
            used = reranker.name
        except RerankUnavailable as failure:
            logger.warning("The reranking API %s failed: %s", reranker.name, failure.reason)
            fallback = failure.reason
    if mode == Mode.HYBRID:
        order = sorted(order, key=lambda group: scores[group.key], reverse=True)
    kept = [
        group
        for group in order
        if scores[group.key] >= _threshold(group, thresholds, default_threshold)
    ]
    dropped = [group for group in order if group not in kept]
    return Ranking(
        results=[_result(group, scores[group.key], query) for group in kept[:limit]],
        dropped=[
            replace(_result(group, scores[group.key], query), relevant=False)
            for group in dropped[:limit]
        ],
        reranker=used,
        fallback=fallback,
    )


def _threshold(
    group: _Group, thresholds: Mapping[int, float] | None, default_threshold: float
) -> float:
    return (thresholds or {}).get(group.best.payload.get("category_id"), default_threshold)


def described_candidates(
    query: str, *, category_ids: Sequence[int] | None, searchable: Searchable | None = None
) -> list[tuple[int | None, dict[str, float | None]]]:
    """The hybrid candidates of `query` as the offline model sees them: (document id,
    features), for fitting the model on questions whose answer is known."""
    found, candidates = _candidates(
        query, category_ids=category_ids, mode=Mode.HYBRID, limit=1, searchable=searchable
    )
    described = describe(found, query)
    return [(group.best.payload.get("document_id"), described[group.key]) for group in candidates]


def _candidates(
    query: str,
    *,
    category_ids: Sequence[int] | None,
    mode: Mode,
    limit: int,
    searchable: Searchable | None,
) -> tuple[list[_Group], list[_Group]]:
    """Every group the searches found, and the mode's candidates in its own order: the
    RERANKED best fused groups (hybrid), or every group its search found (dense, BM25)."""
    payload_filter = {"category_id": list(category_ids)} if category_ids is not None else None
    fetched = max(limit * 4, CANDIDATES)
    vector = _query_vector(query, required=mode != Mode.BM25)
    sparse_query = query_sparse_vector(query)
    passages, summaries = passage_store(), summary_store()
    dense = (
        passages.search(vector, limit=fetched, payload_filter=payload_filter)
        if vector is not None
        else []
    )
    sparse = passages.search_sparse(sparse_query, limit=fetched, payload_filter=payload_filter)
    documents = summaries.search_sparse(sparse_query, limit=fetched, payload_filter=payload_filter)
    active = _active_generations(searchable, dense, sparse, documents)
    if active is not None:
        dense, sparse, documents = (
            [hit for hit in hits if _is_active(hit, active)] for hits in (dense, sparse, documents)
        )

    groups: dict[str, _Group] = {}
    for rank, hit in enumerate(dense, start=1):
        group = groups.setdefault(_group_key(hit), _Group(_group_key(hit)))
        group.add(hit)
        if group.dense_rank is None:
            group.dense_rank, group.dense_score, group.dense_best = rank, hit.score, hit
    for rank, hit in enumerate(sparse, start=1):
        group = groups.setdefault(_group_key(hit), _Group(_group_key(hit)))
        group.add(hit)
        if group.sparse_rank is None:
            group.sparse_rank, group.sparse_score, group.sparse_best = rank, hit.score, hit
    for rank, hit in enumerate(documents, start=1):
        group = groups.get(f"document:{hit.payload.get('document_id')}")
        if group is not None and group.document_rank is None:
            group.document_rank, group.document_score = rank, hit.score
            group.length = int(hit.payload.get("length", 0) or 0)
    for group in groups.values():
        group.fused = sum(
            weight / (RRF_K + rank)
            for weight, rank in (
                (DENSE_WEIGHT, group.dense_rank),
                (SPARSE_WEIGHT, group.sparse_rank),
                (DOCUMENT_WEIGHT, group.document_rank),
            )
            if rank is not None
        )
    if mode == Mode.HYBRID:
        order = sorted(groups.values(), key=lambda group: group.fused, reverse=True)[:RERANKED]
    else:
        rank_of = "dense_rank" if mode == Mode.DENSE else "sparse_rank"
        found = [group for group in groups.values() if getattr(group, rank_of) is not None]
        order = sorted(found, key=lambda group: getattr(group, rank_of))
    if vector is not None:
        _add_document_similarity(order, vector, summaries, payload_filter, active)
    return list(groups.values()), order


def _active_generations(
    searchable: Searchable | None, *found: Sequence[SearchHit]
) -> Mapping[int, str] | None:
    if searchable is None:
        return None
    document_ids = {
        int(hit.payload["document_id"])
        for hits in found
        for hit in hits
        if hit.payload.get("document_id") is not None
    }
    return searchable(document_ids) if document_ids else {}


def _is_active(hit: SearchHit, active: Mapping[int, str]) -> bool:
    """A correction always is; a document's passage when it is of its active generation."""
    document_id = hit.payload.get("document_id")
    if document_id is None:
        return True
    generation = active.get(int(document_id))
    return generation is not None and generation == hit.payload.get("generation")


def _query_vector(query: str, *, required: bool) -> Sequence[float] | None:
    try:
        return get_embedder().embed([query])[0]
    except EmbeddingUnavailable:
        if required:
            raise
        logger.warning("BM25 search without the embedding model's features.", exc_info=True)
        return None


def _group_key(hit: SearchHit) -> str:
    if hit.payload.get("document_id") is not None:
        return f"document:{hit.payload['document_id']}"
    if hit.payload.get("correction_id") is not None:
        return f"correction:{hit.payload['correction_id']}"
    return f"point:{hit.id}"


def _add_document_similarity(
    groups: Sequence[_Group],
    vector: Sequence[float],
    summaries: VectorStore,
    payload_filter: PayloadFilter | None,
    active: Mapping[int, str] | None,
) -> None:
    """Cosine of the question and each candidate document's mean passage vector."""
    documents = {
        int(group.key.removeprefix("document:")): group
        for group in groups
        if group.key.startswith("document:")
    }
    if not documents:
        return
    hits = summaries.search(
        vector,
        limit=len(documents) * 2,  # a document being indexed again has two summaries
        payload_filter={**(payload_filter or {}), "document_id": list(documents)},
    )
    for hit in hits:
        group = documents.get(hit.payload.get("document_id"))
        if group is not None and (active is None or _is_active(hit, active)):
            group.document_similarity = hit.score


def describe(groups: Sequence[_Group], query: str) -> dict[str, dict[str, float | None]]:
    """The offline model's description of each candidate (`ai.relevance.FEATURES`), by key;
    without any dense hit (no embedding model), the similarities are None: unmeasured."""
    terms = set(tokenize(query))
    term_count = max(1, len(terms))
    best_fused = max(group.fused for group in groups) or 1.0
    best_document = max(group.document_score for group in groups) or 1.0
    best_sparse = max(group.sparse_score for group in groups) or 1.0
    dense_scores = [group.dense_score for group in groups if group.dense_score is not None]
    floor = min(dense_scores, default=None)
    passage_terms = {hit.id: terms_of(hit) for group in groups for hit in group.hits}
    # A question term that no candidate holds is likely absent from the corpus: the
    # question is probably about something the documents do not cover.
    found_anywhere = len(terms & set().union(*passage_terms.values())) / term_count
    described = {}
    for rank, group in enumerate(sorted(groups, key=lambda g: g.fused, reverse=True), start=1):
        position = group.best.payload.get("position")
        similarity = group.dense_score if group.dense_score is not None else floor
        described[group.key] = {
            "fused_share": group.fused / best_fused,
            "inverse_rank": 1.0 / rank,
            "early_passage": 1.0 / (1 + (position if isinstance(position, int) else 5)),
            "document_bm25_share": group.document_score / best_document,
            "document_bm25": group.document_score / term_count,
            "passage_bm25_share": group.sparse_score / best_sparse,
            "passage_bm25": group.sparse_score / term_count,
            "passage_similarity": similarity,
            "document_similarity": (
                group.document_similarity if group.document_similarity is not None else similarity
            ),
            "term_coverage": len(terms & passage_terms[group.best.id]) / term_count,
            "question_coverage": found_anywhere,
            "log_length": math.log1p(group.length or len(passage_terms[group.best.id])),
        }
    return with_spreads(described)


SPREAD_OF = ("passage_similarity", "document_similarity", "document_bm25", "passage_bm25")
# Fewer candidates (a collection of a few documents) say nothing of a spread: unmeasured.
MIN_SPREAD_CANDIDATES = 10


def with_spreads(
    described: dict[str, dict[str, float | None]],
) -> dict[str, dict[str, float | None]]:
    """Each candidate also carries how far apart the question's candidates are on the
    SPREAD_OF features (their standard deviation, the same for every candidate of the
    question): a question the documents answer finds one or a few candidates far above
    the rest, an off-topic one finds candidates that all look alike. This is what makes one
    threshold hold across collections whose scores sit at different levels (the French and
    English man pages: chosen on the dev halves)."""
    spreads = {}
    for name in SPREAD_OF:
        values = [value for features in described.values() if (value := features[name]) is not None]
        enough = len(values) >= MIN_SPREAD_CANDIDATES
        spreads[f"{name}_spread"] = statistics.pstdev(values) if enough else None
    return {key: {**features, **spreads} for key, features in described.items()}


def terms_of(hit: SearchHit) -> frozenset[str]:
    """A passage's search terms: kept with it since this version, else cut again."""
    stored = hit.payload.get("terms")
    if isinstance(stored, list):
        return frozenset(stored)
    return text_terms(str(hit.payload.get("text", "")))


def _result(group: _Group, score: float, query: str) -> Result:
    main = _as_result(group.best, score, query)
    others = [hit for hit in group.hits if hit.id != group.best.id][:OTHERS_KEPT]
    return replace(main, others=tuple(_as_result(hit, score, query) for hit in others))


def _as_result(hit: SearchHit, score: float, query: str) -> Result:
    payload = hit.payload
    text = str(payload.get("text", ""))
    return Result(
        id=hit.id,
        score=score,
        kind=str(payload.get("kind", "document")),
        category_id=payload.get("category_id"),
        document_id=payload.get("document_id"),
        correction_id=payload.get("correction_id"),
        title=str(payload.get("title", "")),
        filename=str(payload.get("filename", "")),
        page=payload.get("page"),
        heading=str(payload.get("heading", "")),
        text=text,
        highlighted=highlight(text, query),
        hint=str(payload.get("hint", "")),
    )
