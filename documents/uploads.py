"""Creating documents from uploaded files: the one entry point of every upload path."""

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from common.storage import STORAGE_ERRORS
from documents.archives import expand_zip, is_archive, title_from_path
from documents.exceptions import StorageUnavailable, UploadRejected
from documents.filetypes import check_upload_type
from documents.models import Category, Document
from documents.validity import NO_VALIDITY, ValidityFields

logger = logging.getLogger(__name__)

READ_BLOCK_SIZE = 1024 * 1024
STORAGE_DOWN = _(
    "« %(name)s » n'a pas été enregistré : le stockage des fichiers est momentanément "
    "indisponible. Déposez-le à nouveau dans un instant ; si cela dure, prévenez l'équipe "
    "informatique."
)


class DuplicateDocument(UploadRejected):
    """The same content is already in this category."""

    def __init__(self, existing: Document) -> None:
        self.existing = existing
        super().__init__(
            _("Contenu identique à « %(existing)s », déjà présent dans la catégorie."),
            {"existing": existing},
        )


def content_hash(stream: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of a binary stream, read by blocks, rewound afterwards."""
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    while block := stream.read(READ_BLOCK_SIZE):
        digest.update(block)
        size += len(block)
    stream.seek(0)
    return digest.hexdigest(), size


def create_document(
    *,
    category: Category,
    stream: IO[bytes],
    filename: str,
    title: str = "",
    hints: str = "",
    validity: ValidityFields = NO_VALIDITY,
) -> Document:
    """Store `stream` as a new pending document of `category` and queue it for indexing.

    Raises UploadRejected when the file is too large, empty, of a type that cannot be read
    or named after another type (`documents.filetypes`), DuplicateDocument when the
    category already holds the same content, StorageUnavailable when the file could not be
    stored (then no document is created: the row and the file are written together).
    The document is returned as committed: pending, with a reason in `error_message` when
    the task queue could not take it yet (`documents.services.enqueue_indexing`).
    """
    name = PurePath(filename.replace("\\", "/")).name
    digest, size = content_hash(stream)
    if size == 0:
        raise UploadRejected(_("« %(name)s » est vide."), {"name": name})
    if size > settings.UPLOAD_MAX_FILE_SIZE:
        limit = settings.UPLOAD_MAX_FILE_SIZE // settings.MEGABYTE
        raise UploadRejected(
            _("« %(name)s » dépasse la taille maximale de %(limit)s Mo."),
            {"name": name, "limit": limit},
        )
    check_upload_type(stream, name)
    existing = category.documents.filter(content_hash=digest).first()
    if existing is not None:
        raise DuplicateDocument(existing)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                category=category,
                file=File(stream, name=name),
                original_filename=name,
                title=title,
                hints=hints,
                content_hash=digest,
                size=size,
                **validity.as_fields(),
            )
    except STORAGE_ERRORS as error:
        logger.warning("Could not store the upload %s: %r", name, error)
        raise StorageUnavailable(STORAGE_DOWN, {"name": name}) from error
    document.refresh_from_db(fields=["status", "error_message"])
    return document


@dataclass(frozen=True)
class IncomingFile:
    """A file to turn into documents: its bytes and the name it arrived with.

    `name` may be a relative path (« RH/Congés/guide.pdf », from a folder): the title is
    then derived from it like an archive entry's. A `title` given here wins.
    """

    stream: IO[bytes]
    name: str
    title: str = ""


@dataclass(frozen=True)
class DuplicateUpload:
    name: str
    existing: Document
    reason: str


@dataclass(frozen=True)
class RejectedUpload:
    name: str
    reason: str
    too_large: bool = False
    # The storage was down: the file itself is fine, sending it again later will work.
    unavailable: bool = False


@dataclass
class UploadReport:
    """What became of each file of a batch; archive entries are named `archive.zip/path`."""

    created: list[Document] = field(default_factory=list)
    duplicates: list[DuplicateUpload] = field(default_factory=list)
    rejected: list[RejectedUpload] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.created) + len(self.duplicates) + len(self.rejected)

    @property
    def storage_unavailable(self) -> bool:
        return any(rejected.unavailable for rejected in self.rejected)


def upload_files(
    *,
    category: Category,
    files: Iterable[IncomingFile],
    hints: str = "",
    validity: ValidityFields = NO_VALIDITY,
) -> UploadReport:
    """Create a document from each file, and from each file of each ZIP archive.

    Every file goes through `create_document`; one refused file (duplicate, empty, too
    large, unsafe archive entry) is recorded in the report and never stops the others.
    `hints` and `validity` apply to every document of the batch. Once the storage fails,
    the rest of the batch is refused with the same reason without trying it (an archive may
    hold thousands).
    """
    report = UploadReport()
    for incoming in files:
        if is_archive(incoming.name):
            _upload_archive(
                report, category=category, archive=incoming, hints=hints, validity=validity
            )
        else:
            _upload_one(
                report,
                category=category,
                stream=incoming.stream,
                name=incoming.name,
                title=incoming.title or title_from_path(incoming.name),
                hints=hints,
                validity=validity,
            )
    return report


def _upload_archive(
    report: UploadReport,
    *,
    category: Category,
    archive: IncomingFile,
    hints: str,
    validity: ValidityFields,
) -> None:
    found = 0
    try:
        if _stream_size(archive.stream) > settings.ZIP_MAX_TOTAL_SIZE:
            limit = settings.ZIP_MAX_TOTAL_SIZE // settings.MEGABYTE
            raise UploadRejected(
                _("L'archive dépasse la taille maximale de %(limit)s Mo."), {"limit": limit}
            )
        entries = expand_zip(
            archive.stream,
            max_entries=settings.ZIP_MAX_ENTRIES,
            max_total_size=settings.ZIP_MAX_TOTAL_SIZE,
        )
        for entry in entries:
            found += 1
            name = f"{archive.name}/{entry.path}"
            if entry.rejection:
                report.rejected.append(RejectedUpload(name, entry.rejection))
                continue
            _upload_one(
                report,
                category=category,
                stream=entry.stream,
                name=name,
                title=entry.title,
                hints=hints,
                validity=validity,
            )
    except UploadRejected as rejection:
        report.rejected.append(RejectedUpload(archive.name, rejection.message))
        return
    if not found:
        report.rejected.append(
            RejectedUpload(archive.name, str(_("L'archive ne contient aucun fichier.")))
        )


def _upload_one(
    report: UploadReport,
    *,
    category: Category,
    stream: IO[bytes],
    name: str,
    title: str,
    hints: str,
    validity: ValidityFields,
) -> None:
    if report.storage_unavailable:
        report.rejected.append(
            RejectedUpload(
                name, StorageUnavailable(STORAGE_DOWN, {"name": name}).message, unavailable=True
            )
        )
        return
    try:
        document = create_document(
            category=category,
            stream=stream,
            filename=name,
            title=title,
            hints=hints,
            validity=validity,
        )
    except DuplicateDocument as duplicate:
        report.duplicates.append(DuplicateUpload(name, duplicate.existing, duplicate.message))
    except StorageUnavailable as unavailable:
        report.rejected.append(RejectedUpload(name, unavailable.message, unavailable=True))
    except UploadRejected as rejection:
        too_large = _stream_size(stream) > settings.UPLOAD_MAX_FILE_SIZE
        report.rejected.append(RejectedUpload(name, rejection.message, too_large=too_large))
    else:
        report.created.append(document)


def _stream_size(stream: IO[bytes]) -> int:
    size = stream.seek(0, 2)
    stream.seek(0)
    return size
