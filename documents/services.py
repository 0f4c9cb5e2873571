"""Actions on documents and corrections. Edges (admin, API, tasks, commands) call these."""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from celery import Task
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from ai.embeddings import EmbeddingUnavailable, get_embedder
from ai.passages import Passage, delete_passages, store_passages, stored_passage_count
from ai.vectorstore import VectorStoreError
from common.storage import STORAGE_ERRORS
from documents.health import expected_passage_count
from documents.models import Category, Correction, Document
from documents.validity import ValidityFields

logger = logging.getLogger(__name__)

# A document in "processing" that made no progress for this long lost its worker.
STUCK_AFTER = timedelta(minutes=15)
# What `.delay()` raises when the broker cannot be reached, after Celery's own retries.
QUEUE_ERRORS = (OperationalError, OSError)
# Once the broker refused a task, the next ones skip it for this long instead of each
# waiting for Celery's publish retries (~0.7 s; an archive may bring thousands of files).
QUEUE_RETRY_AFTER = 10.0
# The reason shown on a document the queue could not take; the worker's sweep
# (`queue_documents_left_out`) looks for it.
NOT_QUEUED = (
    "En attente : la file des tâches est injoignable. L'indexation sera lancée "
    "automatiquement dès son retour."
)
# The reason shown on a document a command left to the running embedded server, whose
# worker's sweep (`queue_documents_left_out`) queues it.
LEFT_TO_SERVER = "En attente : le serveur en marche (manage.py serve) l'indexera dans la minute."
WAITING_FOR_A_SWEEP = (NOT_QUEUED, LEFT_TO_SERVER)
# Keeps `pk IN (...)` under the database's parameter limits.
ID_BATCH = 500

_queue_unreachable_until = 0.0


def send_task(task: Task, *args: object) -> bool:
    """Queue `task`; False, without raising, when the broker cannot be reached."""
    global _queue_unreachable_until
    if time.monotonic() < _queue_unreachable_until:
        return False
    try:
        task.delay(*args)
    except QUEUE_ERRORS as error:
        _queue_unreachable_until = time.monotonic() + QUEUE_RETRY_AFTER
        logger.warning("The task queue is unreachable, %s%r not queued: %r", task.name, args, error)
        return False
    return True


def forget_queue_outage() -> None:
    """Try the broker again at the next task (tests, after bringing it back)."""
    global _queue_unreachable_until
    _queue_unreachable_until = 0.0


def enqueue_indexing(document_id: int) -> None:
    """Queue the document for the Celery worker once the current transaction commits.

    Enqueuing after commit means the worker never looks for a row it cannot see yet. When
    the broker is unreachable the document stays pending with the reason (NOT_QUEUED), and
    a worker queues it once the broker is back (`queue_documents_left_out`).
    """
    transaction.on_commit(lambda: _queue_indexing(document_id))


def _queue_indexing(document_id: int) -> None:
    from documents.tasks import index_document  # the tasks module imports this one

    if not send_task(index_document, document_id):
        Document.objects.filter(
            pk=document_id, status__in=[Document.Status.PENDING, Document.Status.PROCESSING]
        ).update(
            status=Document.Status.PENDING,
            error_message=NOT_QUEUED,
            progress=0,
            updated_at=timezone.now(),
        )


def leave_to_the_running_server(document_ids: list[int]) -> int:
    """Leave these pending documents to the worker of the embedded server running on the same
    data folder; return how many.

    A command run beside that server (`index_documents`) has only its own in-memory queue,
    which no worker reads once the command ends, and could not open the Qdrant Edge store the
    server holds anyway: the server's sweep (`queue_documents_left_out`) queues them instead.
    """
    left = 0
    for start in range(0, len(document_ids), ID_BATCH):
        left += Document.objects.filter(
            pk__in=document_ids[start : start + ID_BATCH], status=Document.Status.PENDING
        ).update(error_message=LEFT_TO_SERVER, updated_at=timezone.now())
    return left


def queue_documents_left_out() -> int:
    """Queue the documents the broker could not take when they were saved, and those a
    command left to the running server; return how many.

    Each is claimed (its reason cleared) before it is sent, so two workers sweeping at once
    never queue the same document twice.
    """
    left_out = Document.objects.filter(
        status=Document.Status.PENDING, error_message__in=WAITING_FOR_A_SWEEP
    )
    queued = 0
    for document_id in left_out.values_list("pk", flat=True):
        if left_out.filter(pk=document_id).update(error_message=""):
            enqueue_indexing(document_id)
            queued += 1
    if queued:
        logger.info("Queued %d document(s) the task queue had missed.", queued)
    return queued


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


def retake_own_titles(documents: QuerySet[Document]) -> tuple[int, int]:
    """Queue for indexing those of `documents` still titled after their file name, which
    indexing then gives the title they give themselves (metadata or first heading) when they
    have one (`indexing.adopt_own_title`); a title a person typed is kept. Returns how many
    were queued and how many kept their title."""
    titled_after_file = documents.filter(title_from_filename=True)
    kept = documents.exclude(title_from_filename=True).count()
    return reindex_selected(titled_after_file), kept


def reindex_lost_documents() -> int:
    """Queue again the indexed documents whose passages the vector store no longer holds
    (a store deleted or lost with its volume); return how many. Checked at each worker's
    start: cheap when nothing is missing, one count per document otherwise."""
    if stored_passage_count({"kind": "document"}) >= expected_passage_count():
        return 0
    indexed = Document.objects.filter(
        status=Document.Status.INDEXED, embedding_model=get_embedder().model_id
    ).exclude(chunk_count=0)
    lost = [
        pk
        for pk in indexed.values_list("pk", flat=True)
        if stored_passage_count({"kind": "document", "document_id": pk}) == 0
    ]
    if lost:
        logger.warning(
            "The vector store lost the passages of %d document(s): indexing them again.",
            len(lost),
        )
    return reindex_selected(Document.objects.filter(pk__in=lost))


# What a document's passages are made of: a change to one of these is indexed again.
INDEXED_FIELDS = ("category_id", "title", "hints", "file")


def indexed_fields_of(document_id: int) -> dict[str, object] | None:
    """The stored values of INDEXED_FIELDS (None for a document not saved yet)."""
    return Document.objects.filter(pk=document_id).values(*INDEXED_FIELDS).first()


def follow_change(document: Document, *, before: dict[str, object]) -> None:
    """Keep the index in step with a saved change of the document's INDEXED_FIELDS.

    A move to another category hides the passages at once, before the new ones are
    written: their payloads still name the old category, whose readers would otherwise go
    on finding a document they may no longer read. Any other change (title, hints, file)
    is indexed again, the old passages searchable until the new ones replace them.
    """
    after = {name: getattr(document, name) for name in INDEXED_FIELDS}
    after["file"] = document.file.name
    changed = [name for name in INDEXED_FIELDS if before.get(name) != after[name]]
    if not changed:
        return
    if "category_id" in changed:
        delete_passages({"document_id": document.pk})
    reindex_selected(Document.objects.filter(pk=document.pk))


def set_validity(document: Document, validity: ValidityFields) -> None:
    """Give `document` these dates and repeal, checked already (`Document.clean`).

    Only these fields are written: the worker may be saving the document's indexing state
    meanwhile. Nothing is indexed again: searches read the validity from the database.
    """
    for name, value in validity.as_fields().items():
        setattr(document, name, value)
    document.save(update_fields=[*validity.as_fields(), "updated_at"])


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
    """Once a document's deletion commits, remove its file and (queued) its passages.

    Without a broker the passages are removed here and now: a deleted document must not
    stay in search results until someone notices.
    """
    from documents.tasks import delete_document_passages

    def forget() -> None:
        if file_name:
            try:
                storage.delete(file_name)
            except STORAGE_ERRORS:
                logger.warning("Could not delete %s of document %s.", file_name, document_id)
        _queue_or_run_here(
            delete_document_passages,
            document_id,
            run_here=lambda: remove_document_passages(document_id=document_id),
        )

    transaction.on_commit(forget)


def _queue_or_run_here(task: Task, *args: object, run_here: Callable[[], None]) -> None:
    """Queue a short vector-store task; run it in this process when the broker is down."""
    if send_task(task, *args):
        return
    try:
        run_here()
    except (EmbeddingUnavailable, VectorStoreError):
        logger.exception(
            "%s%r failed: neither the queue nor the vector store answer.", task.name, args
        )


def remove_document_passages(*, document_id: int) -> None:
    delete_passages({"document_id": document_id})


def enqueue_correction(correction_id: int) -> None:
    from documents.tasks import index_correction as index_correction_task

    transaction.on_commit(
        lambda: _queue_or_run_here(
            index_correction_task,
            correction_id,
            run_here=lambda: index_correction(correction_id=correction_id),
        )
    )


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

    transaction.on_commit(
        lambda: _queue_or_run_here(
            delete_correction_passage,
            correction_id,
            run_here=lambda: remove_correction_passage(correction_id=correction_id),
        )
    )


def remove_correction_passage(*, correction_id: int) -> None:
    delete_passages({"correction_id": correction_id})
