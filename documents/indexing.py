"""The ingestion pipeline of one document: stored file → passages in the vector store.

Two stages. Preparing: read → detect type → extract → attach hints → chunk → sparse
vectors, Python on one core. Then, in its turn: the upload's passage budget → embed +
upsert (batched) → switch the document to the new generation → drop the passages of the
previous one → note a near-duplicate of another document (`documents.near_duplicates`) →
indexed. One document at a time takes its turn in a process (`_embedding_turn`), so a worker
with two slots (INDEXING_PREPARE_AHEAD) prepares the next document while the model embeds
the current one, and never embeds two at once.
Each run writes a *generation* of passages whose ids derive from the content, the chunking
settings and the model: re-running the same task overwrites the same points (idempotent).
Searches only read a document's active generation (`Document.index_generation`), switched
once the new one is fully written: while it is written, and if it never is (a service down
until the retries run out, a rejected file), the previous one is what readers find.
"""

import hashlib
import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from ai.embeddings import EmbeddingUnavailable, get_embedder
from ai.passages import (
    Passage,
    delete_passages,
    store_document_summary,
    store_passages,
    with_lexical,
)
from ai.vectorstore import VectorStoreError
from common.storage import STORAGE_ERRORS
from documents.chunking import Chunk, split_sections
from documents.exceptions import DocumentRejected
from documents.extraction import Section, extract
from documents.hints import parse_hints
from documents.models import Document, DocumentText
from documents.near_duplicates import note_near_duplicate
from documents.progress import publish_progress

logger = logging.getLogger(__name__)


class TransientIndexingError(Exception):
    """Storage, embeddings or vector store unavailable: worth retrying later."""


# A service down: the file storage (local folder or S3), the embeddings or the vector store.
SERVICE_ERRORS = (EmbeddingUnavailable, VectorStoreError, *STORAGE_ERRORS)


KEPT_GENERATION = "La version indexée précédemment reste celle que la recherche trouve."

# Held from a document's upload budget to its indexed status. The model already uses every
# core (a batch per core, `ai.embeddings.local`): two documents embedding at once would only
# share them, and a document of an upload must see the passages its predecessors gave.
_embedding_turn = threading.Lock()
UNEXPECTED_FAILURE = (
    "Erreur inattendue de Cassandre pendant l'indexation ; relancez-la, et signalez-la si "
    "elle revient"
)


@dataclass(frozen=True)
class IndexingResult:
    document_id: int
    status: str
    chunk_count: int = 0


@dataclass(frozen=True)
class PreparedDocument:
    """A document's passages, ready to embed, and what to record once they are stored."""

    mime_type: str
    page_count: int
    warnings: list[str]
    generation: str
    passages: list[Passage]
    text: str = ""  # the extracted text, sections separated by a blank line
    estimated_passages: int = 0  # from its length, before chunking (the budgets)


def index_document(document_id: int) -> IndexingResult | None:
    """Index one document; a bad file marks it failed with a reason, never raises.

    Raises TransientIndexingError when a service is down, so the task can retry.
    """
    document = Document.objects.select_related("category").filter(pk=document_id).first()
    if document is None:
        logger.info("Document %s no longer exists; nothing to index.", document_id)
        return None
    _set_status(document, Document.Status.PROCESSING, progress=0, error_message="")
    try:
        prepared = prepare_document(document, _read_file(document))
        with _embedding_turn:
            return _embed_and_write(document, prepared)
    except DocumentRejected as rejection:
        _fail(document, str(rejection))
        _drop_passages(document)
        return IndexingResult(document.pk, Document.Status.FAILED)
    except SERVICE_ERRORS as exc:
        raise TransientIndexingError(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        # A fault of Cassandre's own, not of the file: logged with its trace for whoever
        # fixes it, and the document failed with a reason instead of « en cours » for ever.
        logger.exception("Indexing document %s failed unexpectedly.", document.pk)
        _fail(document, f"{UNEXPECTED_FAILURE} ({type(exc).__name__} : {exc})")
        _drop_passages(document)
        return IndexingResult(document.pk, Document.Status.FAILED)


def _embed_and_write(document: Document, prepared: PreparedDocument) -> IndexingResult | None:
    """The second stage, in the document's turn. Raises DocumentRejected past the budget of
    its upload."""
    if not _still_exists(document):
        return None
    _refuse_over_upload_budget(document, prepared.estimated_passages)
    total = len(prepared.passages)
    vectors = store_passages(
        prepared.passages, on_batch=lambda done: _report(document, done, total)
    )
    store_document_summary(
        f"summary:{document.pk}:{prepared.generation}",
        text=prepared.text,
        vectors=vectors,
        payload={
            "kind": "document",
            "category_id": document.category_id,
            "document_id": document.pk,
            "generation": prepared.generation,
        },
    )
    if not _still_exists(document):
        # Deleted while it embedded: its removal may have run before these writes.
        delete_passages({"document_id": document.pk})
        return None
    _switch_generation(document, prepared.generation)
    delete_passages({"document_id": document.pk}, keep={"generation": prepared.generation})
    _keep_text(document, prepared)
    note_near_duplicate(document, prepared.text)
    _set_status(
        document,
        Document.Status.INDEXED,
        progress=100,
        mime_type=prepared.mime_type,
        page_count=prepared.page_count,
        chunk_count=total,
        warnings="\n".join(prepared.warnings),
        embedding_model=get_embedder().model_id,
        index_generation=prepared.generation,
        indexed_at=timezone.now(),
    )
    return IndexingResult(document.pk, Document.Status.INDEXED, total)


def _still_exists(document: Document) -> bool:
    if Document.objects.filter(pk=document.pk).exists():
        return True
    logger.info("Document %s was deleted while it was indexed.", document.pk)
    return False


def prepare_document(document: Document, data: bytes) -> PreparedDocument:
    """Everything before the embeddings: dedupe, extraction, hints, chunking, the sparse
    vectors.

    Raises DocumentRejected for a file that cannot be indexed.
    """
    duplicate = _earlier_duplicate(document, data)
    if duplicate is not None:
        raise DocumentRejected(f"Doublon de « {duplicate} » (même contenu, même catégorie).")
    extracted = extract(data, filename=document.original_filename or document.file.name)
    estimated_passages = _refuse_oversized(extracted.sections)
    adopt_own_title(document, extracted.title)
    hints = parse_hints(document.hints)
    chunks = split_sections(
        extracted.sections, size=settings.SPLIT_CHUNK_SIZE, overlap=settings.SPLIT_CHUNK_OVERLAP
    )
    if not chunks:
        raise DocumentRejected("Aucun texte exploitable dans ce document.")
    generation = generation_of(document)
    return PreparedDocument(
        mime_type=extracted.mime_type,
        page_count=extracted.page_count,
        warnings=hints.errors,
        generation=generation,
        passages=[
            with_lexical(_passage(document, chunk, hints.for_page(chunk.page), generation))
            for chunk in chunks
        ],
        text=extracted_text(extracted.sections),
        estimated_passages=estimated_passages,
    )


def adopt_own_title(document: Document, title: str) -> None:
    """Give a document titled after its file name the title it gives itself, if any.

    Before its passages are made, which carry the title. Written by an update, which sends
    no signal: a save would be taken for a person's change and index the document again
    (`documents.signals`). The title is then the document's own, kept like a typed one.
    """
    if not (document.title_from_filename and title):
        return
    Document.objects.filter(pk=document.pk).update(title=title, title_from_filename=False)
    document.title, document.title_from_filename = title, False


def _refuse_oversized(sections: list[Section]) -> int:
    """A text longer than DOCUMENT_MAX_PASSAGES passages fails before it is chunked: it would
    hold the worker for hours (one 10 MB text: 233 s; a ZIP of twenty: 13 hours). Returns
    its estimated passages."""
    passages = sum(len(section.text) for section in sections) // settings.SPLIT_CHUNK_SIZE
    most = settings.DOCUMENT_MAX_PASSAGES
    if passages > most:
        raise DocumentRejected(
            f"Document trop long : environ {passages} passages, {most} au plus "
            "(DOCUMENT_MAX_PASSAGES). Découpez-le en plusieurs documents."
        )
    return passages


def _refuse_over_upload_budget(document: Document, passages: int) -> None:
    """So does a document whose upload (an archive, a batch of files) already gave
    UPLOAD_MAX_PASSAGES: twenty documents just under the first limit are still hours of the
    worker. Checked in the document's turn, once the one before it is indexed."""
    if document.upload_batch is None:
        return
    batch = Document.objects.filter(upload_batch=document.upload_batch).exclude(pk=document.pk)
    given = batch.filter(status=Document.Status.INDEXED).aggregate(total=Sum("chunk_count"))
    budget = settings.UPLOAD_MAX_PASSAGES
    if (given["total"] or 0) + passages > budget:
        raise DocumentRejected(
            f"Dépôt trop volumineux : les documents déposés avec celui-ci ont déjà donné "
            f"{given['total'] or 0} passages, {budget} au plus par dépôt "
            "(UPLOAD_MAX_PASSAGES). Déposez-le à part."
        )


def extracted_text(sections: list[Section]) -> str:
    """The text of a document as the viewer shows it: its sections, a blank line apart,
    each new heading on a line of its own above its first section (the extractors keep
    headings apart from the text, as a trail: "Congés > Report" shows as "Report")."""
    parts, previous = [], ""
    for section in sections:
        if section.heading and section.heading != previous:
            parts.append(section.heading.rsplit(" > ", 1)[-1])
        parts.append(section.text)
        previous = section.heading
    return "\n\n".join(parts)


def passage_key(document_id: int, generation: str, position: int) -> str:
    """What a passage's point id derives from (`ai.passages.point_id`)."""
    return f"document:{document_id}:{generation}:{position}"


def mark_waiting_for_retry(document_id: int, reason: str) -> None:
    """Back to pending while a service is down, with the reason shown to the admins."""
    document = Document.objects.filter(pk=document_id).first()
    if document is not None:
        _set_status(document, Document.Status.PENDING, error_message=reason, progress=0)


def mark_failed(document_id: int, reason: str) -> None:
    """Give up on a document after its retries, keeping the reason for the admins."""
    document = Document.objects.filter(pk=document_id).first()
    if document is not None:
        _fail(document, reason)


def _drop_passages(document: Document) -> None:
    """A failed document must not linger in search results, but a document indexed before
    keeps its last complete generation searchable; best effort."""
    keep = {"generation": document.index_generation} if document.index_generation else None
    try:
        delete_passages({"document_id": document.pk}, keep=keep)
    except (EmbeddingUnavailable, VectorStoreError):
        logger.warning("Could not remove the passages of failed document %s.", document.pk)


def _read_file(document: Document) -> bytes:
    with document.file.open("rb") as stored:
        return stored.read()


def _earlier_duplicate(document: Document, data: bytes) -> Document | None:
    digest = hashlib.sha256(data).hexdigest()
    if document.content_hash != digest or document.size != len(data):
        document.content_hash, document.size = digest, len(data)
        document.save(update_fields=["content_hash", "size", "updated_at"])
    return (
        Document.objects.filter(
            category_id=document.category_id, content_hash=digest, pk__lt=document.pk
        )
        .exclude(status=Document.Status.FAILED)
        .first()
    )


def generation_of(document: Document) -> str:
    """Same inputs, same generation: content, hints, title, chunking and model."""
    inputs = "|".join(
        [
            document.content_hash,
            document.hints,
            document.title,
            str(settings.SPLIT_CHUNK_SIZE),
            str(settings.SPLIT_CHUNK_OVERLAP),
            get_embedder().model_id,
        ]
    )
    return hashlib.sha256(inputs.encode()).hexdigest()[:32]


def _passage(document: Document, chunk: Chunk, hint: str, generation: str) -> Passage:
    context = [document.title, chunk.heading, hint]
    embed_text = "\n".join([part for part in context if part] + [chunk.text])
    return Passage(
        key=passage_key(document.pk, generation, chunk.position),
        embed_text=embed_text,
        payload={
            "kind": "document",
            "category_id": document.category_id,
            "document_id": document.pk,
            "title": document.title,
            "filename": document.original_filename,
            "page": chunk.page,
            "heading": chunk.heading,
            "position": chunk.position,
            "generation": generation,
            "hint": hint,
            "text": chunk.text,
        },
    )


def _switch_generation(document: Document, generation: str) -> None:
    """Make the generation just written the one searched, in one update: until now the
    previous one was (`documents.selectors.active_generations`)."""
    Document.objects.filter(pk=document.pk).update(index_generation=generation)
    document.index_generation = generation


def _keep_text(document: Document, prepared: PreparedDocument) -> None:
    """Keep the text and passages just indexed, for the document viewer."""
    DocumentText.objects.update_or_create(
        document=document,
        defaults={
            "text": prepared.text,
            "passages": [str(passage.payload["text"]) for passage in prepared.passages],
            "generation": prepared.generation,
        },
    )


def _report(document: Document, done: int, total: int) -> None:
    if done == total:
        return  # the final status follows at once
    progress = int(done * 100 / total)
    Document.objects.filter(pk=document.pk).update(
        progress=progress, chunk_count=done, updated_at=timezone.now()
    )
    publish_progress(document, status=Document.Status.PROCESSING, progress=progress, chunks=done)


def _set_status(document: Document, status: str, **fields: object) -> None:
    document.status = status
    for name, value in fields.items():
        setattr(document, name, value)
    document.save(update_fields=["status", "updated_at", *fields])
    publish_progress(
        document, status=status, progress=document.progress, chunks=document.chunk_count
    )


def _fail(document: Document, reason: str) -> None:
    """Mark the document failed. One indexed before is still searched by its last complete
    generation (the selector `active_generations`): the reason says so, and its passage
    count stays that generation's."""
    logger.info("Document %s failed: %s", document.pk, reason)
    chunk_count = 0
    if document.index_generation:
        reason = f"{reason} {KEPT_GENERATION}"
        kept = DocumentText.objects.filter(document=document).values_list("passages", flat=True)
        chunk_count = len(kept.first() or [])
    _set_status(
        document,
        Document.Status.FAILED,
        error_message=reason,
        progress=0,
        chunk_count=chunk_count,
    )
