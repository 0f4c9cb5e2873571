"""A category's original files in one ZIP, built by a worker and kept in the file storage.

A category may hold gigabytes: the archive is never built inside a request. Asking for
one records a pending `CategoryExport` and queues the task; the worker writes the ZIP to a
temporary file, then stores it next to the documents (local folder or S3), and the staff
download it from the admin through `documents.views.download_export`.
"""

import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from common.storage import STORAGE_ERRORS
from documents import services
from documents.models import Category, CategoryExport, Document

logger = logging.getLogger(__name__)

QUEUE_DOWN = (
    "La file des tâches est injoignable : l'archive n'a pas pu être préparée. "
    "Relancez l'export dans un instant."
)
COPY_BLOCK_SIZE = 1024 * 1024


def request_category_export(
    *, category: Category, requested_by: AbstractBaseUser | None
) -> CategoryExport:
    """Record a pending export of `category` and queue its building once committed."""
    export = CategoryExport.objects.create(category=category, created_by=requested_by)
    transaction.on_commit(lambda: _queue(export.pk))
    return export


def _queue(export_id: int) -> None:
    from documents.tasks import build_category_export  # the tasks module imports this one

    if not services.send_task(build_category_export, export_id):
        CategoryExport.objects.filter(pk=export_id, status=CategoryExport.Status.PENDING).update(
            status=CategoryExport.Status.FAILED, error=QUEUE_DOWN, finished_at=timezone.now()
        )


def build_category_export(export_id: int) -> CategoryExport | None:
    """Write the ZIP of a pending export's category into the storage; ready, or failed
    with the reason when a file or the storage could not be read or written."""
    export = CategoryExport.objects.select_related("category").filter(pk=export_id).first()
    if export is None or export.status != CategoryExport.Status.PENDING:
        return export
    documents = export.category.documents.order_by("pk")
    try:
        with tempfile.TemporaryFile() as archive:
            count = write_zip(archive, documents)
            archive.seek(0)
            export.file.save(f"{export.category.slug}.zip", File(archive), save=False)
    except STORAGE_ERRORS as error:
        logger.warning("Export %s of category %s failed: %r", export.pk, export.category_id, error)
        export.status = CategoryExport.Status.FAILED
        export.error = f"Lecture ou écriture des fichiers impossible : {error}"[:1000]
    else:
        export.status = CategoryExport.Status.READY
        export.document_count = count
    export.finished_at = timezone.now()
    export.save()
    return export


def write_zip(target: IO[bytes], documents: Iterable[Document]) -> int:
    """Write each document's original file into a ZIP on `target`; return how many.

    Files are named as uploaded; two files of the same name become « guide.pdf » and
    « guide (2).pdf ».
    """
    names: set[str] = set()
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            if not document.file:
                continue
            name = _unique_name(document.original_filename or document.file.name, names)
            with document.file.open("rb") as source, archive.open(name, "w") as entry:
                shutil.copyfileobj(source, entry, COPY_BLOCK_SIZE)
            count += 1
    return count


def _unique_name(filename: str, taken: set[str]) -> str:
    path = PurePath(PurePath(filename.replace("\\", "/")).name or "document")
    name, number = path.name, 2
    while name.lower() in taken:
        name = f"{path.stem} ({number}){path.suffix}"
        number += 1
    taken.add(name.lower())
    return name
