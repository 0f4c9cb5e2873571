"""Celery entry points: load ids, call a service, decide on retries. No logic here."""

import logging

from celery import bootsteps, current_app, shared_task
from celery.signals import worker_ready
from django.conf import settings

from ai.embeddings import EmbeddingUnavailable
from ai.vectorstore import VectorStoreError
from documents import exports, folder_sync, index_check, indexing, services
from documents.models import FolderSync

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
# Tasks that only talk to the vector store retry by themselves while it is unavailable.
RETRY_WHILE_SERVICES_DOWN = {
    "autoretry_for": (EmbeddingUnavailable, VectorStoreError, OSError),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "max_retries": MAX_RETRIES,
}


def _backoff(retries: int) -> int:
    return min(600, 10 * 2**retries)


@shared_task(bind=True, name="documents.index_document", max_retries=MAX_RETRIES)
def index_document(self, document_id: int) -> None:
    try:
        indexing.index_document(document_id)
    except indexing.TransientIndexingError as exc:
        if self.request.retries >= self.max_retries:
            indexing.mark_failed(
                document_id,
                f"Service indisponible après {self.max_retries} nouvelles tentatives : {exc}",
            )
            return
        countdown = _backoff(self.request.retries)
        indexing.mark_waiting_for_retry(document_id, f"Nouvel essai dans {countdown} s : {exc}")
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="documents.delete_document_passages", **RETRY_WHILE_SERVICES_DOWN)
def delete_document_passages(document_id: int) -> None:
    services.remove_document_passages(document_id=document_id)


@shared_task(name="documents.index_correction", **RETRY_WHILE_SERVICES_DOWN)
def index_correction(correction_id: int) -> None:
    services.index_correction(correction_id=correction_id)


@shared_task(name="documents.delete_correction_passage", **RETRY_WHILE_SERVICES_DOWN)
def delete_correction_passage(correction_id: int) -> None:
    services.remove_correction_passage(correction_id=correction_id)


@shared_task(name="documents.build_category_export")
def build_category_export(export_id: int) -> None:
    exports.build_category_export(export_id)


@shared_task(name="documents.check_index")
def check_index() -> None:
    index_check.check_index(repair=True)


@shared_task(name="documents.sync_folder")
def sync_folder(folder_sync_id: int) -> None:
    scheduled = FolderSync.objects.select_related("category").filter(pk=folder_sync_id).first()
    if scheduled is not None:
        folder_sync.run_folder_sync(scheduled)


@shared_task(name="documents.sync_due_folders")
def sync_due_folders() -> None:
    folder_sync.queue_due_syncs()


@worker_ready.connect(dispatch_uid="documents.requeue_unfinished")
def requeue_unfinished_documents(**kwargs) -> None:
    services.requeue_unfinished(include_pending=settings.EMBEDDED_WORKER)
    try:
        services.reindex_lost_documents()
    except (EmbeddingUnavailable, VectorStoreError):
        logger.exception("Could not compare the vector store with the indexed documents.")


class QueueDocumentsLeftOut(bootsteps.StartStopStep):
    """Queue the documents saved while the broker was unreachable.

    At each connection to the broker (the worker's start, and every reconnection after an
    outage) and then every PENDING_SWEEP_INTERVAL seconds, for an outage only the web side saw.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, consumer, **kwargs) -> None:
        self.timer_entry = None
        super().__init__(consumer, **kwargs)

    def start(self, consumer) -> None:
        self.sweep()
        self.timer_entry = consumer.timer.call_repeatedly(
            settings.PENDING_SWEEP_INTERVAL, self.sweep
        )

    def stop(self, consumer) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    def sweep(self) -> None:
        # Never let a sweep stop the consumer: it would restart in a loop.
        try:
            services.queue_documents_left_out()
        except Exception:
            logger.exception("Could not look for documents left out of the task queue.")


current_app.steps["consumer"].add(QueueDocumentsLeftOut)


class QueuePeriodically(bootsteps.StartStopStep):
    """The embedded mode's stand-in for Celery beat: every `interval_setting` seconds,
    queue `task` for this same worker.

    Only the timer lives here: the task runs like any other, so it never holds the
    consumer's timer. A separate worker leaves it to beat (CELERY_BEAT_SCHEDULE).
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}
    interval_setting = ""
    task = None

    def __init__(self, consumer, **kwargs) -> None:
        self.timer_entry = None
        super().__init__(consumer, **kwargs)

    def include_if(self, consumer) -> bool:
        return settings.EMBEDDED_WORKER and self.interval > 0

    @property
    def interval(self) -> int:
        return getattr(settings, self.interval_setting)

    def start(self, consumer) -> None:
        self.timer_entry = consumer.timer.call_repeatedly(self.interval, self.queue)

    def stop(self, consumer) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    def queue(self) -> None:
        services.send_task(self.task)


class CheckIndexPeriodically(QueuePeriodically):
    interval_setting = "INDEX_CHECK_INTERVAL"
    task = check_index


class SyncFoldersPeriodically(QueuePeriodically):
    """Look for the folder synchronisations due (`FolderSync`) every
    FOLDER_SYNC_CHECK_INTERVAL seconds."""

    interval_setting = "FOLDER_SYNC_CHECK_INTERVAL"
    task = sync_due_folders


current_app.steps["consumer"].add(CheckIndexPeriodically)
current_app.steps["consumer"].add(SyncFoldersPeriodically)
