"""A Qdrant server (or cluster) through qdrant-client: the production backend."""

from collections.abc import Iterator, Mapping, Sequence

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

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


def client_for(url: str, *, api_key: str = "", timeout: int = 10) -> QdrantClient:
    """A client for QDRANT_URL; ":memory:" gives qdrant-client's local mode (tests)."""
    if url == ":memory:":
        return QdrantClient(location=":memory:")
    # No version probe at construction: /healthz reports an unreachable server instead.
    return QdrantClient(
        url=url, api_key=api_key or None, timeout=timeout, check_compatibility=False
    )


def _conditions(payload_filter: PayloadFilter | None) -> list[models.Condition] | None:
    if not payload_filter:
        return None
    return [
        models.FieldCondition(
            key=key,
            match=models.MatchAny(any=list(value))
            if is_many(value)
            else models.MatchValue(value=value),
        )
        for key, value in payload_filter.items()
    ]


def _filter(
    payload_filter: PayloadFilter | None, exclude: PayloadFilter | None = None
) -> models.Filter | None:
    if not payload_filter and not exclude:
        return None
    return models.Filter(must=_conditions(payload_filter), must_not=_conditions(exclude))


def _vectors(point: VectorPoint) -> dict:
    vectors: dict = {DENSE_VECTOR: list(point.dense)}
    if point.sparse is not None:
        vectors[SPARSE_VECTOR] = models.SparseVector(
            indices=list(point.sparse.indices), values=list(point.sparse.values)
        )
    return vectors


def _hits(points: Sequence[models.ScoredPoint]) -> list[SearchHit]:
    return [SearchHit(id=str(hit.id), score=hit.score, payload=hit.payload or {}) for hit in points]


def _point(record: models.Record) -> VectorPoint:
    vectors = record.vector if isinstance(record.vector, dict) else {}
    sparse = vectors.get(SPARSE_VECTOR)
    return VectorPoint(
        id=str(record.id),
        dense=list(vectors[DENSE_VECTOR]),
        payload=record.payload or {},
        sparse=None if sparse is None else SparseVector(list(sparse.indices), list(sparse.values)),
    )


class QdrantServerVectorStore:
    def __init__(self, *, client: QdrantClient, collection: str) -> None:
        self.client = client
        self.collection = collection

    def _call(self, operation, *args, **kwargs):
        try:
            return operation(*args, **kwargs)
        except (UnexpectedResponse, ValueError) as exc:
            if "not found" in str(exc).lower():
                raise CollectionMissing(
                    f"Collection {self.collection!r} does not exist yet."
                ) from exc
            raise VectorStoreError(f"Qdrant refused the operation: {exc}") from exc
        except (ResponseHandlingException, OSError) as exc:
            raise VectorStoreError(f"Qdrant cannot be reached: {exc}") from exc

    def collection_exists(self) -> bool:
        return self._call(self.client.collection_exists, self.collection)

    def create_collection(self, *, dense_size: int) -> None:
        if self.collection_exists():
            return
        self._call(
            self.client.create_collection,
            collection_name=self.collection,
            vectors_config={
                DENSE_VECTOR: models.VectorParams(size=dense_size, distance=models.Distance.COSINE)
            },
            sparse_vectors_config={
                SPARSE_VECTOR: models.SparseVectorParams(modifier=models.Modifier.IDF)
            },
        )
        for field_name in INDEXED_PAYLOAD_FIELDS:
            self._call(
                self.client.create_payload_index,
                collection_name=self.collection,
                field_name=field_name,
                field_schema=models.PayloadSchemaType.INTEGER,
            )

    def drop_collection(self) -> None:
        self._call(self.client.delete_collection, self.collection)

    def upsert(self, points: Sequence[VectorPoint]) -> None:
        if not points:
            return
        structs = [
            models.PointStruct(id=point.id, vector=_vectors(point), payload=dict(point.payload))
            for point in points
        ]
        self._call(self.client.upsert, collection_name=self.collection, points=structs, wait=True)

    def delete(
        self, payload_filter: PayloadFilter, *, exclude: PayloadFilter | None = None
    ) -> None:
        self._call(
            self.client.delete,
            collection_name=self.collection,
            points_selector=models.FilterSelector(filter=_filter(payload_filter, exclude)),
            wait=True,
        )

    def search(
        self,
        vector: Sequence[float],
        *,
        limit: int,
        payload_filter: PayloadFilter | None = None,
        score_threshold: float | None = None,
    ) -> list[SearchHit]:
        response = self._call(
            self.client.query_points,
            collection_name=self.collection,
            query=list(vector),
            using=DENSE_VECTOR,
            query_filter=_filter(payload_filter),
            limit=limit,
            score_threshold=score_threshold,
            with_payload=True,
        )
        return _hits(response.points)

    def search_sparse(
        self,
        vector: SparseVector,
        *,
        limit: int,
        payload_filter: PayloadFilter | None = None,
    ) -> list[SearchHit]:
        if not vector.indices:
            return []
        response = self._call(
            self.client.query_points,
            collection_name=self.collection,
            query=models.SparseVector(indices=list(vector.indices), values=list(vector.values)),
            using=SPARSE_VECTOR,
            query_filter=_filter(payload_filter),
            limit=limit,
            with_payload=True,
        )
        return _hits(response.points)

    def count(self, payload_filter: PayloadFilter | None = None) -> int:
        result = self._call(
            self.client.count,
            collection_name=self.collection,
            count_filter=_filter(payload_filter),
            exact=True,
        )
        return result.count

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
    ) -> Iterator[models.Record]:
        """The records matching `payload_filter`, read `page_size` at a time."""
        offset = None
        while True:
            records, offset = self._call(
                self.client.scroll,
                collection_name=self.collection,
                scroll_filter=_filter(payload_filter),
                limit=page_size,
                offset=offset,
                with_payload=with_payload,
                with_vectors=vectors,
            )
            yield from records
            if offset is None:
                return

    def dense_vectors(self, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        records = self._call(
            self.client.retrieve,
            collection_name=self.collection,
            ids=list(ids),
            with_payload=False,
            with_vectors=[DENSE_VECTOR],
        )
        return {str(record.id): list(record.vector[DENSE_VECTOR]) for record in records}

    def ping(self) -> None:
        self._call(self.client.get_collections)
