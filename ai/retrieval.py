"""Finding the passages that answer a question: dense, lexical (BM25-style) or both fused.

Hybrid search runs the dense and the sparse search on the same filter and fuses their
rankings with weighted Reciprocal Rank Fusion: a passage's score is the sum over the
rankings of weight / (RRF_K + rank). Rank fusion needs no score calibration between a
cosine and a BM25 score, which is why it is robust across corpora.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from ai.embeddings import get_embedder
from ai.highlight import highlight
from ai.lexical import query_sparse_vector
from ai.passages import passage_store
from ai.vectorstore import SearchHit

# Tuned on the evaluation sets (README, "Retrieval quality"): the lexical ranking is the
# stronger one on French administrative wording, and a small k lets a passage ranked first
# by either search weigh clearly more than one ranked fifth; the usual k=60 with equal
# weights made hybrid worse than BM25 alone in French.
RRF_K = 1
DENSE_WEIGHT = 0.6
SPARSE_WEIGHT = 1.0
# Each ranking contributes this many candidates per requested result to the fusion.
CANDIDATES_PER_RESULT = 4
# Two passages of the same page sharing this share of their words are one passage.
NEAR_DUPLICATE_OVERLAP = 0.7
_WORDS = re.compile(r"\w+")


class Mode(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"


@dataclass(frozen=True)
class Result:
    id: str
    score: float
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


def search_passages(
    query: str,
    *,
    category_ids: Sequence[int] | None = None,
    limit: int = 5,
    mode: Mode = Mode.HYBRID,
    thresholds: Mapping[int, float] | None = None,
) -> list[Result]:
    """The best `limit` passages for `query`, within `category_ids` (None: every category).

    `thresholds` maps a category to the minimum dense similarity its passages need: a
    passage of such a category is kept only if the dense search found it at or above that
    similarity, whatever the mode, so a category can refuse weak matches.
    """
    if category_ids is not None and not category_ids:
        return []
    payload_filter = {"category_id": list(category_ids)} if category_ids is not None else None
    candidates = max(limit * CANDIDATES_PER_RESULT, 20)
    store = passage_store()
    rankings: list[tuple[float, list[SearchHit]]] = []
    dense: list[SearchHit] = []
    if mode in (Mode.HYBRID, Mode.DENSE) or thresholds:
        vector = get_embedder().embed([query])[0]
        dense = store.search(vector, limit=candidates, payload_filter=payload_filter)
    if mode in (Mode.HYBRID, Mode.DENSE):
        rankings.append((DENSE_WEIGHT, dense))
    if mode in (Mode.HYBRID, Mode.BM25):
        sparse = query_sparse_vector(query)
        rankings.append(
            (
                SPARSE_WEIGHT,
                store.search_sparse(sparse, limit=candidates, payload_filter=payload_filter),
            )
        )
    fused = rankings[0][1] if len(rankings) == 1 else fuse(rankings)
    if thresholds:
        fused = _above_thresholds(fused, dense, thresholds)
    return [_result(hit, query) for hit in collapse_near_duplicates(fused)[:limit]]


def _above_thresholds(
    hits: Sequence[SearchHit], dense: Sequence[SearchHit], thresholds: Mapping[int, float]
) -> list[SearchHit]:
    similarity = {hit.id: hit.score for hit in dense}
    return [
        hit
        for hit in hits
        if (threshold := thresholds.get(hit.payload.get("category_id"))) is None
        or similarity.get(hit.id, -1.0) >= threshold
    ]


def fuse(rankings: Sequence[tuple[float, Sequence[SearchHit]]]) -> list[SearchHit]:
    """Weighted Reciprocal Rank Fusion of several rankings of the same points."""
    scores: dict[str, float] = {}
    hits: dict[str, SearchHit] = {}
    for weight, ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.id] = scores.get(hit.id, 0.0) + weight / (RRF_K + rank)
            hits.setdefault(hit.id, hit)
    ordered = sorted(scores, key=lambda point_id: scores[point_id], reverse=True)
    return [
        SearchHit(id=point_id, score=scores[point_id], payload=hits[point_id].payload)
        for point_id in ordered
    ]


def collapse_near_duplicates(hits: Sequence[SearchHit]) -> list[SearchHit]:
    """Keep the best of the passages that repeat one another on the same page."""
    kept: list[tuple[SearchHit, set[str]]] = []
    for hit in hits:
        words = set(_WORDS.findall(str(hit.payload.get("text", "")).lower()))
        if not any(
            _same_place(hit, other) and _overlap(words, other_words) >= NEAR_DUPLICATE_OVERLAP
            for other, other_words in kept
        ):
            kept.append((hit, words))
    return [hit for hit, _ in kept]


def _same_place(hit: SearchHit, other: SearchHit) -> bool:
    keys = ("document_id", "correction_id", "page")
    return all(hit.payload.get(key) == other.payload.get(key) for key in keys)


def _overlap(words: set[str], other: set[str]) -> float:
    if not words or not other:
        return 1.0 if words == other else 0.0
    return len(words & other) / min(len(words), len(other))


def _result(hit: SearchHit, query: str) -> Result:
    payload = hit.payload
    text = str(payload.get("text", ""))
    return Result(
        id=hit.id,
        score=hit.score,
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
    )
