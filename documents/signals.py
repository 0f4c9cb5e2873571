"""Keep the index in step with the database, whatever path a change came through
(admin, backoffice, API, command): new documents are queued, changed ones indexed again (a
move to another category hides them at once), deleted ones forgotten with the files of
their earlier versions, corrections written to and removed from the vector store; a
deleted export's ZIP goes too."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from common.storage import delete_after_commit
from documents import services
from documents.models import CategoryExport, Correction, Document, DocumentVersion


@receiver(pre_save, sender=Document, dispatch_uid="documents.remember_indexed_fields")
def remember_indexed_fields(sender, instance: Document, update_fields=None, **kwargs) -> None:
    """Before a save that may change what the passages are made of, remember the stored
    values (the worker's own saves name their fields, none of these: no query then)."""
    touched = update_fields is None or set(update_fields) & {"category", *services.INDEXED_FIELDS}
    if instance.pk and touched and not kwargs.get("raw"):
        instance._indexed_before = services.indexed_fields_of(instance.pk)


@receiver(post_save, sender=Document, dispatch_uid="documents.enqueue_new_document")
def enqueue_new_document(sender, instance: Document, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if created:
        services.enqueue_indexing(instance.pk)
    elif before := getattr(instance, "_indexed_before", None):
        del instance._indexed_before
        services.follow_change(instance, before=before)


@receiver(post_delete, sender=Document, dispatch_uid="documents.forget_deleted_document")
def forget_deleted_document(sender, instance: Document, **kwargs) -> None:
    services.forget_document(
        document_id=instance.pk, file_name=instance.file.name, storage=instance.file.storage
    )


@receiver(post_delete, sender=DocumentVersion, dispatch_uid="documents.forget_version_file")
def forget_version_file(sender, instance: DocumentVersion, **kwargs) -> None:
    delete_after_commit(instance.file.storage, instance.file.name)


@receiver(post_save, sender=Correction, dispatch_uid="documents.index_saved_correction")
def index_saved_correction(sender, instance: Correction, **kwargs) -> None:
    if not kwargs.get("raw"):
        services.enqueue_correction(instance.pk)


@receiver(post_delete, sender=Correction, dispatch_uid="documents.forget_deleted_correction")
def forget_deleted_correction(sender, instance: Correction, **kwargs) -> None:
    services.enqueue_correction_removal(instance.pk)


@receiver(post_delete, sender=CategoryExport, dispatch_uid="documents.delete_export_file")
def delete_export_file(sender, instance: CategoryExport, **kwargs) -> None:
    if instance.file:
        delete_after_commit(instance.file.storage, instance.file.name)
