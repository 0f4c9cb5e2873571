"""The vector-store contract, shared by the Qdrant server and Qdrant Edge backends.

One store is bound to one collection. Each point carries a dense vector ("dense") and,
optionally, a sparse lexical vector ("sparse", IDF-weighted by the engine) for hybrid
search, plus a JSON payload. Filters are plain mappings: `{"category_id": 3}` matches a
value, `{"document_id": [1, 2]}` matches any of several.
"""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

DENSE_VECTOR = "dense"
SPARSE_VECTOR = "sparse"
# Payload fields every query filters on: indexed when the collection is created.
INDEXED_PAYLOAD_FIELDS = ("category_id", "document_id")
# Points read per request when scrolling a collection's payloads.
SCROLL_PAGE_SIZE = 1000

FilterValue = str | int | bool | Sequence[str | int]
PayloadFilter = Mapping[str, FilterValue]


class VectorStoreError(Exception):
    """The vector store cannot be reached or refused an operation."""


class CollectionMissing(VectorStoreError):
    """The collection has not been created yet."""


@dataclass(frozen=True)
class SparseVector:
    indices: Sequence[int]
    values: Sequence[float]


@dataclass(frozen=True)
class VectorPoint:
    id: str
    dense: Sequence[float]
    payload: Mapping[str, object] = field(default_factory=dict)
    sparse: SparseVector | None = None


@dataclass(frozen=True)
class SearchHit:
    id: str
    score: float
    payload: Mapping[str, object]


class VectorStore(Protocol):
    collection: str

    def collection_exists(self) -> bool: ...

    def create_collection(self, *, dense_size: int) -> None:
        """Create the collection with its payload indexes; no-op if it exists."""

    def drop_collection(self) -> None: ...

    def upsert(self, points: Sequence[VectorPoint]) -> None: ...

    def delete(
        self, payload_filter: PayloadFilter, *, exclude: PayloadFilter | None = None
    ) -> None:
        """Delete the points matching `payload_filter` but not `exclude`."""

    def search(
        self,
        vector: Sequence[float],
        *,
        limit: int,
        payload_filter: PayloadFilter | None = None,
        score_threshold: float | None = None,
    ) -> list[SearchHit]: ...

    def search_sparse(
        self,
        vector: SparseVector,
        *,
        limit: int,
        payload_filter: PayloadFilter | None = None,
    ) -> list[SearchHit]:
        """Points ranked by the IDF-weighted dot product of their sparse vector with `vector`
        (BM25 when the points carry BM25 term weights); a vector without terms finds none."""

    def count(self, payload_filter: PayloadFilter | None = None) -> int: ...

    def scroll_payloads(
        self,
        fields: Sequence[str],
        *,
        payload_filter: PayloadFilter | None = None,
        page_size: int = SCROLL_PAGE_SIZE,
    ) -> Iterator[Mapping[str, object]]:
        """The payloads of every point matching `payload_filter`, reduced to `fields` (a
        point without one of them lacks it) and read `page_size` points at a time, never
        their vectors: a whole collection can be walked without being held in memory."""

    def scroll_points(
        self,
        *,
        payload_filter: PayloadFilter | None = None,
        page_size: int = SCROLL_PAGE_SIZE,
    ) -> Iterator[VectorPoint]:
        """Every point matching `payload_filter` as written: its id, vectors and whole
        payload, read `page_size` points at a time. What a copy of points reads (the
        benchmark grows its store this way)."""

    def dense_vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """The dense vectors of the points `ids`, by id (as stored: normalised); an id the
        store does not hold is left out."""

    def ping(self) -> None:
        """Raise VectorStoreError unless the engine answers."""


def is_many(value: FilterValue) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)
