"""Every new document, whatever the path it came through (admin, API, command), is queued."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from documents.models import Document
from documents.services import enqueue_indexing


@receiver(post_save, sender=Document, dispatch_uid="documents.enqueue_new_document")
def enqueue_new_document(sender, instance: Document, created: bool, **kwargs) -> None:
    if created and not kwargs.get("raw"):
        enqueue_indexing(instance.pk)
