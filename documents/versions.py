"""New versions of a document: a circular amended, a guide updated, a procedure rewritten.

Replacing a document's file keeps the document — its title, category, hints, validity,
the links people saved — and moves the previous file into its history
(`DocumentVersion`), which staff can still download. Only the current file is indexed:
the change of file queues a new indexing (`documents.signals`), and until it completes
searches keep finding the previous version's passages, never both.
"""

import logging
from typing import IO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.storage import STORAGE_ERRORS
from documents.exceptions import StorageUnavailable, UploadRejected
from documents.models import Document, DocumentVersion
from documents.upload_checks import STORAGE_DOWN, check_upload, file_name

logger = logging.getLogger(__name__)


class SameAsCurrentVersion(UploadRejected):
    """The file sent as a new version is the current one, byte for byte."""

    code = "same-version"
    status = 409


def replace_with_new_version(
    document: Document,
    *,
    stream: IO[bytes],
    filename: str,
    author: AbstractBaseUser | None = None,
    source_path: str | None = None,
) -> Document:
    """Make `stream` the current file of `document`, its previous file a kept version.

    Raises UploadRejected for a file every upload would refuse (empty, too large, of an
    unreadable type), SameAsCurrentVersion when nothing changed, StorageUnavailable when
    the file could not be stored (then nothing changed). Returns the document as saved:
    pending, its version number one higher, queued for indexing.
    """
    name = file_name(filename)
    digest, size = check_upload(stream, name)
    if digest == document.content_hash:
        raise SameAsCurrentVersion(
            _("Le fichier est identique à la version en cours de « %(document)s »."),
            {"document": document},
        )
    try:
        with transaction.atomic():
            DocumentVersion.objects.create(
                document=document,
                number=document.version,
                file=document.file.name,
                original_filename=document.original_filename,
                content_hash=document.content_hash,
                size=document.size,
                version_date=document.version_date,
                replaced_by=author if author is not None and author.is_authenticated else None,
            )
            document.file = File(stream, name=name)
            document.original_filename = name
            document.content_hash, document.size, document.mime_type = digest, size, ""
            document.version += 1
            document.version_date = timezone.now()
            if source_path is not None:
                document.source_path = source_path
            document.save()
    except STORAGE_ERRORS as error:
        logger.warning("Could not store the new version %s of %s: %r", name, document.pk, error)
        document.refresh_from_db()
        raise StorageUnavailable(STORAGE_DOWN) from error
    document.refresh_from_db(fields=["status", "error_message", "progress"])
    logger.info("Document %s is now at version %s (%s).", document.pk, document.version, name)
    return document
