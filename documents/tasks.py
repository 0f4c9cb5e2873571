from celery import shared_task

from documents import services


@shared_task(name="documents.index_document")
def index_document(document_id: int) -> None:
    services.index_document(document_id=document_id)
