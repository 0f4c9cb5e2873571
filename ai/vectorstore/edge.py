"""Qdrant Edge: Qdrant's engine inside this process, one shard directory per collection.

A shard can be opened by one process only (its write-ahead log is locked), so shards are
opened once per process and shared by every thread: the embedded mode runs the web server
and the Celery worker in the same process for that reason.
"""

import shutil
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import qdrant_edge as qe

from ai.vectorstore.base import (
    DENSE_VECTOR,
    INDEXED_PAYLOAD_FIELDS,
    SCROLL_PAGE_SIZE,
    SPARSE_VECTOR,
    CollectionMissing,
    PayloadFilter,
    SearchHit,
    SparseVector,
    VectorPoint,
    VectorStoreError,
    is_many,
)

T = TypeVar("T")

_open_shards: dict[Path, qe.EdgeShard] = {}
_shards_lock = threading.Lock()


def _open(path: Path) -> qe.EdgeShard | None:
    """The shard at `path`, opened once per process; None when there is none. A shard whose
    folder was deleted while open (by hand, a lost volume) is closed and reported missing:
    the engine would go on answering from what it still holds, and nobody would know."""
    with _shards_lock:
        if not path.exists():
            if path in _open_shards:
                _open_shards.pop(path).close()
            return None
        if path in _open_shards:
            return _open_shards[path]
        try:
            shard = qe.EdgeShard.load(str(path))
        except Exception as exc:
            raise VectorStoreError(_explain_open_failure(path, exc)) from exc
        _open_shards[path] = shard
        return shard


def _explain_open_failure(path: Path, exc: Exception) -> str:
    if "WouldBlock" in str(exc):
        return (
            f"The embedded vector store at {path} is open in another process "
            "(is `make run` already running?). Stop it, or set QDRANT_URL to share a "
            "Qdrant server between processes."
        )
    return f"Cannot open the embedded vector store at {path}: {exc}"


def close_all() -> None:
    """Close every shard this process opened (tests and shutdown)."""
    with _shards_lock:
        for shard in _open_shards.values():
            shard.close()
        _open_shards.clear()


def _condition(key: str, value) -> qe.FieldCondition:
    match = qe.MatchAny(list(value)) if is_many(value) else qe.MatchValue(value)
    return qe.FieldCondition(key=key, match=match)


def _conditions(payload_filter: PayloadFilter | None) -> list[qe.FieldCondition] | None:
    if not payload_filter:
        return None
    return [_condition(key, value) for key, value in payload_filter.items()]


def _filter(
    payload_filter: PayloadFilter | None, exclude: PayloadFilter | None = None
) -> qe.Filter | None:
    if not payload_filter and not exclude:
        return None
    return qe.Filter(must=_conditions(payload_filter), must_not=_conditions(exclude))


def _vectors(point: VectorPoint) -> dict:
    vectors: dict = {DENSE_VECTOR: list(point.dense)}
    if point.sparse is not None:
        vectors[SPARSE_VECTOR] = qe.SparseVector(
            list(point.sparse.indices), list(point.sparse.values)
        )
    return vectors


def _point(record: qe.Record) -> VectorPoint:
    vectors = record.vector or {}
    sparse = vectors.get(SPARSE_VECTOR)
    return VectorPoint(
        id=str(record.id),
        dense=list(vectors[DENSE_VECTOR]),
        payload=record.payload or {},
        sparse=None if sparse is None else SparseVector(list(sparse.indices), list(sparse.values)),
    )


class EdgeVectorStore:
    def __init__(self, *, root: Path, collection: str) -> None:
        self.collection = collection
        self.path = (Path(root) / collection).resolve()

    def _shard(self) -> qe.EdgeShard:
        shard = _open(self.path)
        if shard is None:
            raise CollectionMissing(f"Collection {self.collection!r} does not exist yet.")
        return shard

    def _run(self, operation: Callable[[qe.EdgeShard], T]) -> T:
        """Engine errors become VectorStoreError, which the edges turn into a message."""
        shard = self._shard()
        try:
            return operation(shard)
        except Exception as exc:
            raise VectorStoreError(f"The embedded vector store failed: {exc}") from exc

    def collection_exists(self) -> bool:
        return _open(self.path) is not None

    def create_collection(self, *, dense_size: int) -> None:
        with _shards_lock:
            if self.path in _open_shards or self.path.exists():
                return
            config = qe.EdgeConfig(
                vectors={
                    DENSE_VECTOR: qe.EdgeVectorParams(size=dense_size, distance=qe.Distance.Cosine)
                },
                sparse_vectors={SPARSE_VECTOR: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
            )
            shard = qe.EdgeShard.create(str(self.path), config)
            for field_name in INDEXED_PAYLOAD_FIELDS:
                shard.update(
                    qe.UpdateOperation.create_field_index(field_name, qe.PayloadSchemaType.Integer)
                )
            _open_shards[self.path] = shard

    def drop_collection(self) -> None:
        with _shards_lock:
            shard = _open_shards.pop(self.path, None)
            if shard is not None:
                shard.close()
            shutil.rmtree(self.path, ignore_errors=True)

    def upsert(self, points: Sequence[VectorPoint]) -> None:
        if not points:
            return
        edge_points = [
            qe.Point(id=point.id, vector=_vectors(point), payload=dict(point.payload))
            for point in points
        ]
        self._run(lambda shard: shard.update(qe.UpdateOperation.upsert_points(edge_points)))

    def delete(
        self, payload_filter: PayloadFilter, *, exclude: PayloadFilter | None = None
    ) -> None:
        operation = qe.UpdateOperation.delete_points_by_filter(_filter(payload_filter, exclude))
        self._run(lambda shard: shard.update(operation))

    def search(
        self,
        vector: Sequence[float],
        *,
        limit: int,
        payload_filter: PayloadFilter | None = None,
        score_threshold: float | None = None,
    ) -> list[SearchHit]:
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(list(vector), using=DENSE_VECTOR),
            filter=_filter(payload_filter),
            score_threshold=score_threshold,
            with_payload=True,
        )
        return self._hits(request)

    def search_sparse(
        self,
        vector: SparseVector,
        *,
        limit: int,
        payload_filter: PayloadFilter | None = None,
    ) -> list[SearchHit]:
        if not vector.indices:
            return []
        query = qe.SparseVector(list(vector.indices), list(vector.values))
        request = qe.QueryRequest(
            limit=limit,
            query=qe.Query.Nearest(query, using=SPARSE_VECTOR),
            filter=_filter(payload_filter),
            with_payload=True,
        )
        return self._hits(request)

    def _hits(self, request: qe.QueryRequest) -> list[SearchHit]:
        return [
            SearchHit(id=str(hit.id), score=hit.score, payload=hit.payload or {})
            for hit in self._run(lambda shard: shard.query(request))
        ]

    def count(self, payload_filter: PayloadFilter | None = None) -> int:
        request = qe.CountRequest(exact=True, filter=_filter(payload_filter))
        return self._run(lambda shard: shard.count(request))

    def scroll_payloads(
        self,
        fields: Sequence[str],
        *,
        payload_filter: PayloadFilter | None = None,
        page_size: int = SCROLL_PAGE_SIZE,
    ) -> Iterator[Mapping[str, object]]:
        records = self._scroll(payload_filter, page_size, with_payload=list(fields), vectors=False)
        for record in records:
            yield record.payload or {}

    def scroll_points(
        self,
        *,
        payload_filter: PayloadFilter | None = None,
        page_size: int = SCROLL_PAGE_SIZE,
    ) -> Iterator[VectorPoint]:
        for record in self._scroll(payload_filter, page_size, with_payload=True, vectors=True):
            yield _point(record)

    def _scroll(
        self,
        payload_filter: PayloadFilter | None,
        page_size: int,
        *,
        with_payload: bool | list[str],
        vectors: bool,
    ) -> Iterator[qe.Record]:
        """The records matching `payload_filter`, read `page_size` at a time."""
        offset = None
        while True:
            request = qe.ScrollRequest(
                offset=offset,
                limit=page_size,
                filter=_filter(payload_filter),
                with_payload=with_payload,
                with_vector=vectors,
            )
            records, offset = self._run(lambda shard, request=request: shard.scroll(request))
            yield from records
            if offset is None:
                return

    def dense_vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        records = self._run(
            lambda shard: shard.retrieve(
                point_ids=list(ids), with_payload=False, with_vector=[DENSE_VECTOR]
            )
        )
        return {str(record.id): list(record.vector[DENSE_VECTOR]) for record in records}

    def ping(self) -> None:
        if self.collection_exists():
            self._run(lambda shard: shard.info())
        elif not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
