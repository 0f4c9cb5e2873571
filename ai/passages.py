"""Passages in the vector store: the layout every writer and reader of Qdrant shares.

One collection per embedding model (`<QDRANT_COLLECTION>-<model>`), so changing the model
never mixes two vector spaces: the new collection starts empty and the documents indexed
with the old model are reported as needing a re-index. Each point is one passage with:
- a dense vector of `embed_text` (the passage with its title, section and hint),
- a sparse BM25-style vector of the same text, for hybrid search,
- a payload: `kind` ("document" or "correction"), `category_id`, `document_id` or
  `correction_id`, `title`, `filename`, `page`, `heading`, `position`, `generation`,
  `hint` and `text` (what users see).
Point ids are derived from the passage key, so writing the same passage twice overwrites it.
"""

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings

from ai.embeddings import get_embedder
from ai.lexical import document_sparse_vector
from ai.vectorstore import VectorPoint, VectorStore, get_vector_store
from ai.vectorstore.base import PayloadFilter

POINT_NAMESPACE = uuid.UUID("6f0d2a52-8f7e-4c35-9a57-1c3f0b7e2d11")


@dataclass(frozen=True)
class Passage:
    key: str
    embed_text: str
    payload: Mapping[str, object] = field(default_factory=dict)


def point_id(key: str) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, key))


def collection_name(model_id: str) -> str:
    readable = re.sub(r"[^a-z0-9]+", "-", model_id.lower()).strip("-")[:40]
    digest = hashlib.sha256(model_id.encode()).hexdigest()[:8]
    return f"{settings.QDRANT_COLLECTION}-{readable}-{digest}"


def passage_store() -> VectorStore:
    """The collection of the current embedding model, created on first use."""
    embedder = get_embedder()
    store = get_vector_store(collection_name(embedder.model_id))
    if not store.collection_exists():
        store.create_collection(dense_size=embedder.dimensions)
    return store


def store_passages(
    passages: Sequence[Passage], *, on_batch: Callable[[int], None] | None = None
) -> None:
    """Embed and write `passages` batch by batch; `on_batch(done)` after each batch."""
    embedder = get_embedder()
    store = passage_store()
    batch_size = max(1, settings.EMBEDDING_BATCH_SIZE)
    for start in range(0, len(passages), batch_size):
        batch = passages[start : start + batch_size]
        texts = [passage.embed_text for passage in batch]
        vectors = embedder.embed(texts)
        store.upsert(
            [
                VectorPoint(
                    id=point_id(passage.key),
                    dense=vector,
                    payload=dict(passage.payload),
                    sparse=document_sparse_vector(text),
                )
                for passage, vector, text in zip(batch, vectors, texts, strict=True)
            ]
        )
        if on_batch is not None:
            on_batch(start + len(batch))


def delete_passages(payload_filter: PayloadFilter, *, keep: PayloadFilter | None = None) -> None:
    """Delete the passages matching `payload_filter`, except those matching `keep`."""
    store = passage_store()
    store.delete(payload_filter, exclude=keep)
