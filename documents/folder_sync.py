"""Keeping a category in step with a folder or a bucket (`manage.py sync_folder`, and the
synchronisations scheduled in the admin, `FolderSync`).

Each file of the source is a document of the category, found again by its `source_path`:
the source's root followed by the file's relative path (`documents.sources`). A run adds
the new files, makes each changed file a new version of its document
(`documents.versions`), and archives the documents whose file left the source — or
deletes them, when asked. An archived document is out of force (`documents.validity`):
neither searched nor answered from, but kept with its versions and passages, and staff
still download it; its file coming back brings it back, as a new version if it changed.

A second run over an unchanged source changes nothing, and stays cheap: a file whose size
and modification time are those recorded at the last run (`Document.size`,
`Document.source_modified`) is not even read. Any other is read and its SHA-256 compared
with the document's, so a file touched but not changed is no new version. ETags are not
used: a multipart upload's ETag is no digest of the content, and folders have none.

A new file whose content the category already holds is linked to that document when no
other source follows it (uploaded by hand or by `index_documents`) or when it was archived
(its file was moved or renamed, or the source itself moved); otherwise it is refused as a
duplicate.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO

from django.core.cache import cache
from django.utils import timezone

from documents.archives import title_from_path
from documents.exceptions import UploadRejected
from documents.models import Category, Document, FolderSync
from documents.sources import S3_SCHEME, Source, SourceFile, SourceUnavailable, open_source
from documents.upload_checks import check_size, file_name
from documents.uploads import DuplicateDocument, create_document
from documents.versions import SameAsCurrentVersion, replace_with_new_version

logger = logging.getLogger(__name__)

# A scheduled synchronisation still running after this long is taken for dead.
RUN_LOCK_TIMEOUT = timedelta(hours=6)


@dataclass(frozen=True)
class Change:
    path: str
    document_id: int
    title: str
    detail: str = ""

    @classmethod
    def of(cls, path: str, document: Document, detail: str = "") -> "Change":
        return cls(path, document.pk, str(document), detail)


@dataclass(frozen=True)
class Rejection:
    path: str
    reason: str


@dataclass
class SyncReport:
    """What a run did, file by file; `removed` were deleted when `deleted`, else archived."""

    root: str
    deleted: bool = False
    added: list[Change] = field(default_factory=list)
    new_versions: list[Change] = field(default_factory=list)
    restored: list[Change] = field(default_factory=list)
    unchanged: int = 0
    removed: list[Change] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.new_versions or self.restored or self.removed)

    @property
    def queued(self) -> list[int]:
        """The ids of the documents this run queued for indexing."""
        return [change.document_id for change in self.added + self.new_versions]

    def summary(self) -> str:
        removed = "deleted" if self.deleted else "archived"
        return (
            f"{len(self.added)} added, {len(self.new_versions)} new version(s), "
            f"{len(self.restored)} restored, {self.unchanged} unchanged, "
            f"{len(self.removed)} {removed}, {len(self.rejected)} rejected."
            + ("" if self.changed else " Nothing changed.")
        )

    def french_summary(self) -> str:
        """The summary kept on a FolderSync, for the admin."""
        removed = "supprimé(s)" if self.deleted else "archivé(s)"
        return (
            f"{len(self.added)} ajouté(s), {len(self.new_versions)} nouvelle(s) version(s), "
            f"{len(self.restored)} rétabli(s), {self.unchanged} inchangé(s), "
            f"{len(self.removed)} {removed}, {len(self.rejected)} refusé(s)."
        )

    def lines(self) -> list[str]:
        """One line per file that changed something, or was refused."""
        removed = "deleted" if self.deleted else "archived"
        kinds = [
            ("added", self.added),
            ("new version", self.new_versions),
            ("restored", self.restored),
            (removed, self.removed),
        ]
        lines = [
            f"  {kind:<11} {change.path}: {change.title!r} (#{change.document_id})"
            + (f" {change.detail}" if change.detail else "")
            for kind, changes in kinds
            for change in changes
        ]
        lines += [f"  {'rejected':<11} {item.path}: {item.reason}" for item in self.rejected]
        return lines


def _each(files: Sequence[SourceFile]) -> Iterable[SourceFile]:
    return files


def sync_source(
    *,
    category: Category,
    source: Source,
    delete_removed: bool = False,
    progress: Callable[[Sequence[SourceFile]], Iterable[SourceFile]] = _each,
) -> SyncReport:
    """Bring `category` in step with `source` (see the module docstring).

    Raises SourceUnavailable, having changed nothing, when the source cannot be listed, or
    lists no file at all while documents came from it: an unmounted share or a mistyped
    prefix must not archive a whole category. `progress` wraps the files as they are
    looked at (a progress bar). A file that cannot be read or is refused is reported, and
    its document, if any, kept as it is.
    """
    files = source.list_files()
    followed = {
        document.source_path: document
        for document in category.documents.filter(source_path__startswith=source.root + "/")
    }
    current = [document for document in followed.values() if document.archived_at is None]
    if not files and current:
        raise SourceUnavailable(
            f"{source.root} lists no file, yet {len(current)} document(s) came from it: "
            "nothing was archived. Delete them from the admin if the source is empty indeed."
        )
    report = SyncReport(root=source.root, deleted=delete_removed)
    # Removed first: a file renamed or moved within the source then finds its document
    # archived, and is linked back to it rather than refused as a duplicate.
    listed = {f"{source.root}/{file.path}" for file in files}
    for path in set(followed) - listed:
        _remove(report, followed.pop(path), delete=delete_removed)
    for file in progress(files):
        document = followed.get(f"{source.root}/{file.path}")
        try:
            _sync_file(report, category=category, source=source, file=file, document=document)
        except (UploadRejected, SourceUnavailable) as rejection:
            report.rejected.append(Rejection(file.path, _reason(rejection)))
    return report


def _sync_file(
    report: SyncReport,
    *,
    category: Category,
    source: Source,
    file: SourceFile,
    document: Document | None,
) -> None:
    if document is not None and (document.size, document.source_modified) == (
        file.size,
        file.modified,
    ):
        _keep(report, document, file)
        return
    check_size(file.size, file_name(file.path))
    path = f"{source.root}/{file.path}"
    with source.open(file) as stream:
        if document is None:
            _add(report, category=category, stream=stream, file=file, path=path)
            return
        try:
            document = replace_with_new_version(
                document, stream=stream, filename=path, source_path=path
            )
        except SameAsCurrentVersion:
            _keep(report, document, file)
            return
    restored = document.archived_at is not None
    _follow(document, file)
    detail = f"is now at version {document.version}" + (", restored" if restored else "")
    report.new_versions.append(Change.of(file.path, document, detail))


def _add(
    report: SyncReport, *, category: Category, stream: IO[bytes], file: SourceFile, path: str
) -> None:
    try:
        document = create_document(
            category=category,
            stream=stream,
            filename=path,
            title=title_from_path(file.path),
            title_from_filename=True,
        )
    except DuplicateDocument as duplicate:
        existing = duplicate.existing
        if existing.archived_at is None and existing.source_path.startswith(("/", S3_SCHEME)):
            raise
        Document.objects.filter(pk=existing.pk).update(source_path=path)
        _keep(report, existing, file, detail="has the same content: linked to it")
        return
    _follow(document, file)
    report.added.append(Change.of(file.path, document))


def _keep(report: SyncReport, document: Document, file: SourceFile, *, detail: str = "") -> None:
    """The file is the document's current one: record its date, bring it back if archived."""
    if document.archived_at is not None:
        report.restored.append(Change.of(file.path, document, detail or "is searched again"))
    elif detail:
        report.restored.append(Change.of(file.path, document, detail))
    else:
        report.unchanged += 1
    if document.archived_at is not None or document.source_modified != file.modified:
        _follow(document, file)


def _follow(document: Document, file: SourceFile) -> None:
    # Only these fields: the worker may be saving the document's indexing state meanwhile.
    Document.objects.filter(pk=document.pk).update(source_modified=file.modified, archived_at=None)
    document.source_modified, document.archived_at = file.modified, None


def _remove(report: SyncReport, document: Document, *, delete: bool) -> None:
    change = Change.of(document.source_path.removeprefix(report.root + "/"), document)
    if delete:
        document.delete()
    elif document.archived_at is None:
        Document.objects.filter(pk=document.pk).update(archived_at=timezone.now())
    else:
        return
    report.removed.append(change)


def _reason(error: Exception) -> str:
    return error.message if isinstance(error, UploadRejected) else str(error)


# --- Scheduled synchronisations (FolderSync) ----------------------------------------------


def run_folder_sync(folder_sync: FolderSync) -> SyncReport | None:
    """Run a scheduled synchronisation and record its outcome on it: its start, its
    summary, or why it failed. None, without running, while another run of it goes on."""
    lock = f"folder-sync-running:{folder_sync.pk}"
    if not cache.add(lock, True, timeout=RUN_LOCK_TIMEOUT.total_seconds()):
        logger.info("Synchronisation %s is already running: not started again.", folder_sync.pk)
        return None
    started = timezone.now()
    try:
        report = sync_source(
            category=folder_sync.category,
            source=open_source(folder_sync.source),
            delete_removed=folder_sync.delete_removed,
        )
    except SourceUnavailable as error:
        _record(folder_sync, started=started, summary="", error=str(error))
        return None
    except Exception as error:
        _record(folder_sync, started=started, summary="", error=repr(error))
        raise
    finally:
        cache.delete(lock)
    _record(folder_sync, started=started, summary=report.french_summary(), error="")
    logger.info("Synchronised %s into %s: %s", report.root, folder_sync.category, report.summary())
    return report


def _record(folder_sync: FolderSync, *, started: datetime, summary: str, error: str) -> None:
    folder_sync.last_run_at, folder_sync.last_summary, folder_sync.last_error = (
        started,
        summary,
        error,
    )
    folder_sync.save(update_fields=["last_run_at", "last_summary", "last_error"])


def request_folder_sync(folder_sync: FolderSync) -> bool:
    """Queue a run of `folder_sync`; False when the task queue cannot be reached."""
    from documents.services import send_task
    from documents.tasks import sync_folder  # the tasks module imports this one

    return send_task(sync_folder, folder_sync.pk)


def queue_due_syncs(*, now: datetime | None = None) -> list[FolderSync]:
    """Queue a run of each scheduled synchronisation whose interval has passed since its
    last run, and mark it run now, so the next look does not queue it twice."""
    now = now or timezone.now()
    queued = []
    for folder_sync in FolderSync.objects.filter(enabled=True).select_related("category"):
        if not folder_sync.is_due(now):
            continue
        claimed = FolderSync.objects.filter(
            pk=folder_sync.pk, last_run_at=folder_sync.last_run_at
        ).update(last_run_at=now)
        if not claimed:
            continue
        if request_folder_sync(folder_sync):
            queued.append(folder_sync)
        else:
            FolderSync.objects.filter(pk=folder_sync.pk).update(last_run_at=folder_sync.last_run_at)
    return queued
