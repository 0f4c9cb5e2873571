"""Celery entry points: load ids, call a service, decide on retries. No logic here."""

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from ai.embeddings import EmbeddingUnavailable
from ai.vectorstore import VectorStoreError
from documents import indexing, services

MAX_RETRIES = 5
SERVICE_ERRORS = (EmbeddingUnavailable, VectorStoreError, OSError)


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
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc


@shared_task(
    name="documents.delete_document_passages",
    autoretry_for=SERVICE_ERRORS,
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=MAX_RETRIES,
)
def delete_document_passages(document_id: int) -> None:
    services.remove_document_passages(document_id=document_id)


@shared_task(
    name="documents.index_correction",
    autoretry_for=SERVICE_ERRORS,
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=MAX_RETRIES,
)
def index_correction(correction_id: int) -> None:
    services.index_correction(correction_id=correction_id)


@shared_task(
    name="documents.delete_correction_passage",
    autoretry_for=SERVICE_ERRORS,
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=MAX_RETRIES,
)
def delete_correction_passage(correction_id: int) -> None:
    services.remove_correction_passage(correction_id=correction_id)


@worker_ready.connect(dispatch_uid="documents.requeue_unfinished")
def requeue_unfinished_documents(**kwargs) -> None:
    services.requeue_unfinished(include_pending=settings.EMBEDDED_WORKER)
