"""Actions on documents. Edges (admin, API, tasks, commands) call these, nothing else."""

import hashlib
import logging
import mimetypes

from django.db import transaction

from documents.models import Category, Document

logger = logging.getLogger(__name__)

READ_BLOCK_SIZE = 1024 * 1024


def enqueue_indexing(document_id: int) -> None:
    """Queue the document for the Celery worker once the current transaction commits.

    Enqueuing after commit means the worker never looks for a row it cannot see yet.
    """
    from documents.tasks import index_document  # the tasks module imports this one

    transaction.on_commit(lambda: index_document.delay(document_id))


def index_document(*, document_id: int) -> Document | None:
    """Read the stored file and record what it is: size, SHA-256 and MIME type.

    The extraction, chunking and embedding steps build on this ([ingestion]). A document
    deleted before the worker reached it is not an error.
    """
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        logger.info("Document %s no longer exists; nothing to index.", document_id)
        return None
    digest, size = _hash_stored_file(document)
    document.content_hash = digest
    document.size = size
    document.mime_type = mimetypes.guess_type(document.original_filename)[0] or ""
    document.save(update_fields=["content_hash", "size", "mime_type", "updated_at"])
    return document


def _hash_stored_file(document: Document) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with document.file.open("rb") as stored:
        while block := stored.read(READ_BLOCK_SIZE):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def reindex_documents(*, category: Category | None = None) -> int:
    """Queue every stored document (of one category, or all) for indexing; return how many."""
    documents = Document.objects.all() if category is None else category.documents.all()
    document_ids = list(documents.values_list("pk", flat=True))
    documents.update(status=Document.Status.PENDING, error_message="")
    for document_id in document_ids:
        enqueue_indexing(document_id)
    return len(document_ids)
