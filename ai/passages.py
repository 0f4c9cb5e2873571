"""Passages in the vector store: the layout every writer and reader of Qdrant shares.

One collection per embedding model (`<QDRANT_COLLECTION>-<model>`), so changing the model
never mixes two vector spaces: the new collection starts empty and the documents indexed
with the old model are reported as needing a re-index. Each point is one passage with:
- a dense vector of `embed_text` (the passage with its title, section and hint),
- a sparse BM25-style vector of the same text, for hybrid search,
- a payload: `kind` ("document" or "correction"), `category_id`, `document_id` or
  `correction_id`, `title`, `filename`, `page`, `heading`, `position`, `generation`,
  `hint`, `text` (what users see) and `terms` (the search terms of `text`, so that a search
  need not cut every passage it reads into terms again).
Point ids are derived from the passage key, so writing the same passage twice overwrites it.

Next to it, a collection of document summaries (`<collection>-documents`): one point per
document, whose dense vector is the mean of its passages' and whose sparse vector weighs
the terms of the whole text (BM25 with `ai.lexical.DOCUMENT_B`). Retrieval reads it as
document-level evidence: a short page that matches as a whole is not outranked by a long
one whose passages each match a little. Its payload: `kind`, `category_id`,
`document_id`, `generation`. `delete_passages` deletes from both collections.
`stored_payloads` reads either without its vectors (the index check, `documents.index_check`).
"""

import hashlib
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from django.conf import settings

from ai.embeddings import get_embedder
from ai.lexical import (
    AVERAGE_DOCUMENT_LENGTH,
    DOCUMENT_B,
    document_sparse_vector,
    terms_sparse_vector,
    text_terms,
    tokenize,
)
from ai.vectorstore import VectorPoint, VectorStore, VectorStoreError, get_vector_store
from ai.vectorstore.base import PayloadFilter, SparseVector

POINT_NAMESPACE = uuid.UUID("6f0d2a52-8f7e-4c35-9a57-1c3f0b7e2d11")


@dataclass(frozen=True)
class Passage:
    """A passage to write. `sparse` and `terms` are worked out by `store_passages` unless
    `with_lexical` did it beforehand (the indexing does, while another document embeds)."""

    key: str
    embed_text: str
    payload: Mapping[str, object] = field(default_factory=dict)
    sparse: SparseVector | None = None
    terms: list[str] | None = None


def with_lexical(passage: Passage) -> Passage:
    """`passage` with its sparse vector and search terms, as `store_passages` writes them."""
    return replace(
        passage,
        sparse=document_sparse_vector(passage.embed_text),
        terms=sorted(text_terms(str(passage.payload.get("text", "")))),
    )


def point_id(key: str) -> str:
    return str(uuid.uuid5(POINT_NAMESPACE, key))


def collection_name(model_id: str) -> str:
    readable = re.sub(r"[^a-z0-9]+", "-", model_id.lower()).strip("-")[:40]
    digest = hashlib.sha256(model_id.encode()).hexdigest()[:8]
    return f"{settings.QDRANT_COLLECTION}-{readable}-{digest}"


def passage_store() -> VectorStore:
    """The collection of the current embedding model, created on first use."""
    return _store(collection_name(get_embedder().model_id))


def stored_passage_vectors(ids: Sequence[str]) -> dict[str, list[float]]:
    """The dense vectors of the passages `ids` (point ids) the current model's collection
    holds; none when the store cannot be read (whoever asks embeds the text instead)."""
    try:
        return passage_store().dense_vectors(ids)
    except VectorStoreError:
        return {}


def stored_passage_count(payload_filter: PayloadFilter) -> int:
    """The passages matching `payload_filter` in the current model's collection; 0 when the
    collection does not exist (it is not created here: a check must not hide a loss)."""
    store = get_vector_store(collection_name(get_embedder().model_id))
    return store.count(payload_filter) if store.collection_exists() else 0


def stored_payloads(
    fields: Sequence[str], *, summaries: bool = False
) -> Iterator[Mapping[str, object]]:
    """The payloads, reduced to `fields`, of the current model's passages (or of its
    document summaries); none when the collection does not exist (not created here)."""
    model_id = get_embedder().model_id
    name = _summary_collection(model_id) if summaries else collection_name(model_id)
    store = get_vector_store(name)
    if store.collection_exists():
        yield from store.scroll_payloads(fields)


def summary_store() -> VectorStore:
    """The document summaries of the current embedding model, created on first use."""
    return _store(_summary_collection(get_embedder().model_id))


def _summary_collection(model_id: str) -> str:
    return collection_name(model_id) + "-documents"


def _store(name: str) -> VectorStore:
    store = get_vector_store(name)
    if not store.collection_exists():
        store.create_collection(dense_size=get_embedder().dimensions)
    return store


def store_passages(
    passages: Sequence[Passage], *, on_batch: Callable[[int], None] | None = None
) -> list[Sequence[float]]:
    """Embed and write `passages` batch by batch; `on_batch(done)` after each batch.
    Returns their dense vectors, in order."""
    embedder = get_embedder()
    store = passage_store()
    batch_size = max(1, settings.EMBEDDING_BATCH_SIZE)
    written: list[Sequence[float]] = []
    for start in range(0, len(passages), batch_size):
        batch = passages[start : start + batch_size]
        texts = [passage.embed_text for passage in batch]
        vectors = embedder.embed(texts)
        written.extend(vectors)
        lexical = [
            passage if passage.sparse is not None else with_lexical(passage) for passage in batch
        ]
        store.upsert(
            [
                VectorPoint(
                    id=point_id(passage.key),
                    dense=vector,
                    payload={**passage.payload, "terms": passage.terms},
                    sparse=passage.sparse,
                )
                for passage, vector in zip(lexical, vectors, strict=True)
            ]
        )
        if on_batch is not None:
            on_batch(start + len(batch))
    return written


def store_document_summary(
    key: str, *, text: str, vectors: Sequence[Sequence[float]], payload: Mapping[str, object]
) -> None:
    """Write a document's summary: the mean of its passages' `vectors`, the terms of its
    whole `text`, and its `length` in terms (added to `payload`)."""
    mean = np.mean(np.asarray(vectors, dtype=np.float32), axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    terms = tokenize(text)
    summary_store().upsert(
        [
            VectorPoint(
                id=point_id(key),
                dense=(mean / norm).tolist(),
                payload={**payload, "length": len(terms)},
                sparse=terms_sparse_vector(
                    terms, b=DOCUMENT_B, average_length=AVERAGE_DOCUMENT_LENGTH
                ),
            )
        ]
    )


def delete_passages(payload_filter: PayloadFilter, *, keep: PayloadFilter | None = None) -> None:
    """Delete the passages (and document summaries) matching `payload_filter`, except
    those matching `keep`."""
    passage_store().delete(payload_filter, exclude=keep)
    summary_store().delete(payload_filter, exclude=keep)
