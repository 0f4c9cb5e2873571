"""Creating documents from uploaded files: the one entry point of every upload path."""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from common.storage import STORAGE_ERRORS
from documents.archives import expand_zip, is_archive, title_from_path
from documents.exceptions import StorageUnavailable, UploadRejected
from documents.models import Category, Document
from documents.upload_checks import STORAGE_DOWN, check_upload, file_name
from documents.validity import NO_VALIDITY, ValidityFields
from documents.versions import SameAsCurrentVersion, replace_with_new_version

logger = logging.getLogger(__name__)


class DuplicateDocument(UploadRejected):
    """The same content is already in this category."""

    def __init__(self, existing: Document) -> None:
        self.existing = existing
        super().__init__(
            _("Contenu identique à « %(existing)s », déjà présent dans la catégorie."),
            {"existing": existing},
        )


def create_document(
    *,
    category: Category,
    stream: IO[bytes],
    filename: str,
    title: str = "",
    title_from_filename: bool = False,
    hints: str = "",
    validity: ValidityFields = NO_VALIDITY,
    upload_batch: uuid.UUID | None = None,
) -> Document:
    """Store `stream` as a new pending document of `category` and queue it for indexing.

    `title_from_filename`: `title` was derived from the file's name, not given by a person,
    so indexing may replace it by the title the document gives itself.

    Raises UploadRejected when the file is too large, empty, of a type that cannot be read
    or named after another type (`documents.filetypes`), DuplicateDocument when the
    category already holds the same content, StorageUnavailable when the file could not be
    stored (then no document is created: the row and the file are written together).
    The document is returned as committed: pending, with a reason in `error_message` when
    the task queue could not take it yet (`documents.services.enqueue_indexing`).
    """
    name = file_name(filename)
    digest, size = check_upload(stream, name)
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
                title_from_filename=title_from_filename,
                hints=hints,
                content_hash=digest,
                size=size,
                source_path=filename,
                upload_batch=upload_batch,
                **validity.as_fields(),
            )
    except STORAGE_ERRORS as error:
        logger.warning("Could not store the upload %s: %r", name, error)
        raise StorageUnavailable(STORAGE_DOWN) from error
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
    new_versions: list[Document] = field(default_factory=list)
    """Documents whose file a file of the batch replaced (`as_new_versions`)."""
    duplicates: list[DuplicateUpload] = field(default_factory=list)
    rejected: list[RejectedUpload] = field(default_factory=list)
    as_new_versions: bool = False
    batch: uuid.UUID = field(default_factory=uuid.uuid4)
    """Shared by the documents the batch creates: their passages share one budget."""

    def __len__(self) -> int:
        return (
            len(self.created) + len(self.new_versions) + len(self.duplicates) + len(self.rejected)
        )

    @property
    def storage_unavailable(self) -> bool:
        return any(rejected.unavailable for rejected in self.rejected)


def upload_files(
    *,
    category: Category,
    files: Iterable[IncomingFile],
    hints: str = "",
    as_new_versions: bool = False,
    validity: ValidityFields = NO_VALIDITY,
) -> UploadReport:
    """Create a document from each file, and from each file of each ZIP archive.

    Every file goes through `create_document`; one refused file (duplicate, empty, too
    large, unsafe archive entry) is recorded in the report and never stops the others.
    `hints` and `validity` apply to every document of the batch. Once the storage fails,
    the rest of the batch is refused with the same reason without trying it (an archive may
    hold thousands). `as_new_versions`: a file arriving with the path, or else the title, of
    a document of the category becomes its new version (`documents.versions`) — the same
    content again is a duplicate — instead of a second document.
    """
    report = UploadReport(as_new_versions=as_new_versions)
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
                title_from_filename=not incoming.title,
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
                title_from_filename=True,
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
    title_from_filename: bool,
    hints: str,
    validity: ValidityFields,
) -> None:
    if report.storage_unavailable:
        report.rejected.append(
            RejectedUpload(name, StorageUnavailable(STORAGE_DOWN).message, unavailable=True)
        )
        return
    previous = (
        _previous_version(category, name=name, title=title) if report.as_new_versions else None
    )
    try:
        if previous is not None:
            report.new_versions.append(
                replace_with_new_version(previous, stream=stream, filename=name, source_path=name)
            )
            return
        document = create_document(
            category=category,
            stream=stream,
            filename=name,
            title=title,
            title_from_filename=title_from_filename,
            hints=hints,
            validity=validity,
            upload_batch=report.batch,
        )
    except SameAsCurrentVersion as same:
        report.duplicates.append(DuplicateUpload(name, previous, same.message))
    except DuplicateDocument as duplicate:
        report.duplicates.append(DuplicateUpload(name, duplicate.existing, duplicate.message))
    except StorageUnavailable as unavailable:
        report.rejected.append(RejectedUpload(name, unavailable.message, unavailable=True))
    except UploadRejected as rejection:
        too_large = _stream_size(stream) > settings.UPLOAD_MAX_FILE_SIZE
        report.rejected.append(RejectedUpload(name, rejection.message, too_large=too_large))
    else:
        report.created.append(document)


def _previous_version(category: Category, *, name: str, title: str) -> Document | None:
    """The document of `category` that a file of this path, or else this title, updates."""
    documents = category.documents.order_by("pk")
    return documents.filter(source_path=name).first() or (
        documents.filter(title=title).first() if title else None
    )


def _stream_size(stream: IO[bytes]) -> int:
    size = stream.seek(0, 2)
    stream.seek(0)
    return size
