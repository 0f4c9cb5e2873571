"""The vector store chosen by settings: a Qdrant server if QDRANT_URL is set, else Qdrant Edge."""

from functools import cache

from django.conf import settings

from ai.vectorstore.base import (
    CollectionMissing,
    SearchHit,
    SparseVector,
    VectorPoint,
    VectorStore,
    VectorStoreError,
)

__all__ = [
    "CollectionMissing",
    "SearchHit",
    "SparseVector",
    "VectorPoint",
    "VectorStore",
    "VectorStoreError",
    "get_vector_store",
]


@cache
def get_vector_store(collection: str | None = None) -> VectorStore:
    """The process-wide store for `collection` (default: QDRANT_COLLECTION)."""
    name = collection or settings.QDRANT_COLLECTION
    if settings.QDRANT_URL:
        from ai.vectorstore.qdrant_server import QdrantServerVectorStore, client_for

        client = client_for(
            settings.QDRANT_URL, api_key=settings.QDRANT_API_KEY, timeout=settings.QDRANT_TIMEOUT
        )
        return QdrantServerVectorStore(client=client, collection=name)
    from ai.vectorstore.edge import EdgeVectorStore

    return EdgeVectorStore(root=settings.VECTOR_STORE_PATH, collection=name)
