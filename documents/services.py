"""Actions on documents and corrections. Edges (admin, API, tasks, commands) call these."""

import logging
from datetime import timedelta

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ai.passages import Passage, delete_passages, store_passages
from documents.models import Category, Correction, Document

logger = logging.getLogger(__name__)

# A document in "processing" that made no progress for this long lost its worker.
STUCK_AFTER = timedelta(minutes=15)


def enqueue_indexing(document_id: int) -> None:
    """Queue the document for the Celery worker once the current transaction commits.

    Enqueuing after commit means the worker never looks for a row it cannot see yet.
    """
    from documents.tasks import index_document  # the tasks module imports this one

    transaction.on_commit(lambda: index_document.delay(document_id))


def reindex_documents(*, category: Category | None = None) -> int:
    """Queue every stored document (of one category, or all) for indexing; return how many."""
    documents = Document.objects.all() if category is None else category.documents.all()
    return reindex_selected(documents)


def reindex_selected(documents: QuerySet[Document]) -> int:
    """Queue these documents for indexing again; return how many."""
    document_ids = list(documents.values_list("pk", flat=True))
    Document.objects.filter(pk__in=document_ids).update(
        status=Document.Status.PENDING, error_message="", progress=0
    )
    for document_id in document_ids:
        enqueue_indexing(document_id)
    return len(document_ids)


def requeue_unfinished(*, include_pending: bool) -> int:
    """Queue again the documents a previous worker left unfinished; return how many.

    A document stuck in "processing" lost its worker. Pending documents are only lost
    when the queue itself was (the in-process memory broker after a restart).
    """
    stuck = Document.objects.filter(
        status=Document.Status.PROCESSING, updated_at__lt=timezone.now() - STUCK_AFTER
    )
    if include_pending:
        stuck = stuck | Document.objects.filter(
            status__in=[Document.Status.PENDING, Document.Status.PROCESSING]
        )
    document_ids = list(stuck.values_list("pk", flat=True).distinct())
    for document_id in document_ids:
        enqueue_indexing(document_id)
    if document_ids:
        logger.info("Queued %d unfinished document(s) again.", len(document_ids))
    return len(document_ids)


def forget_document(*, document_id: int, file_name: str, storage: Storage) -> None:
    """Once a document's deletion commits, remove its file and (queued) its passages."""
    from documents.tasks import delete_document_passages

    def forget() -> None:
        if file_name:
            try:
                storage.delete(file_name)
            except OSError:
                logger.warning("Could not delete %s of document %s.", file_name, document_id)
        delete_document_passages.delay(document_id)

    transaction.on_commit(forget)


def remove_document_passages(*, document_id: int) -> None:
    delete_passages({"document_id": document_id})


def enqueue_correction(correction_id: int) -> None:
    from documents.tasks import index_correction

    transaction.on_commit(lambda: index_correction.delay(correction_id))


def index_correction(*, correction_id: int) -> None:
    """Write a correction as one question/answer passage (same id: an edit overwrites it)."""
    correction = Correction.objects.filter(pk=correction_id).first()
    if correction is None:
        return
    passage = Passage(
        key=f"correction:{correction.pk}",
        embed_text=f"{correction.question}\n{correction.answer}",
        payload={
            "kind": "correction",
            "category_id": correction.category_id,
            "correction_id": correction.pk,
            "question": correction.question,
            "answer": correction.answer,
            "title": "Réponse validée",
            "text": f"Question : {correction.question}\nRéponse : {correction.answer}",
        },
    )
    store_passages([passage])


def enqueue_correction_removal(correction_id: int) -> None:
    from documents.tasks import delete_correction_passage

    transaction.on_commit(lambda: delete_correction_passage.delay(correction_id))


def remove_correction_passage(*, correction_id: int) -> None:
    delete_passages({"correction_id": correction_id})
