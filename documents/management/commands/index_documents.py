import time
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import CommandError

from documents.management.commands.base import DocumentsCommand
from documents.models import Category, Document
from documents.services import reindex_documents
from documents.sources import walk_folder
from documents.uploads import IncomingFile, UploadReport, upload_files


class Command(DocumentsCommand):
    help = (
        "Upload files, folders (recursively) and ZIP archives into a category, or queue "
        "stored documents again with --reindex; --wait follows the indexing to its end. "
        "Titles come from the folders: DIR/RH/Congés/guide.pdf is « RH — Congés — guide ». "
        "A file with the path or title of a document of the category becomes its new version."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "paths",
            nargs="*",
            type=Path,
            metavar="PATH",
            help="Files or folders; hidden files are skipped and ZIP archives expanded.",
        )
        parser.add_argument("--category", help="Category name or slug (required with PATHs).")
        parser.add_argument(
            "--create-category", action="store_true", help="Create the category if it is unknown."
        )
        parser.add_argument("--hints", default="", help="Hints applied to every new document.")
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Queue the stored documents (of --category, or all) for indexing again.",
        )
        self.add_wait_arguments(parser)

    def handle(
        self,
        *args,
        paths: list[Path],
        category: str | None,
        create_category: bool,
        hints: str,
        reindex: bool,
        wait: bool,
        timeout: float | None,
        strict: bool,
        **options,
    ) -> None:
        if reindex and paths:
            raise CommandError("Pass either PATHs to upload or --reindex, not both.")
        if not reindex and not paths:
            raise CommandError("Nothing to do: pass PATHs to upload, or --reindex.")
        if paths and not category:
            raise CommandError("--category is required to upload files.")
        files = collect_files(paths)
        selected = self.find_category(category, create=create_category) if category else None

        wait = self.start_worker_if_embedded() or wait
        started = time.monotonic()
        rejected = 0
        if reindex:
            document_ids = self.reindex(selected)
        else:
            report = self.upload(selected, files, hints)
            document_ids = [document.pk for document in report.created + report.new_versions]
            rejected = len(report.rejected)

        outcome = self.follow_indexing(document_ids, wait=wait, timeout=timeout, started=started)
        failed = len(outcome.failed) if outcome else 0
        self.exit_if_strict(strict, rejected=rejected, failed=failed)

    def reindex(self, category: Category | None) -> list[int]:
        documents = Document.objects.all() if category is None else category.documents.all()
        document_ids = list(documents.values_list("pk", flat=True))
        queued = reindex_documents(category=category)
        self.stdout.write(f"{queued} document(s) queued for indexing again.")
        return document_ids

    def upload(self, category: Category, files: list[tuple[Path, str]], hints: str) -> UploadReport:
        incoming = self.progress(open_each(files), total=len(files), desc="Uploading", unit="file")
        report = upload_files(category=category, files=incoming, hints=hints, as_new_versions=True)
        self.stdout.write(
            f"Uploaded {len(files)} file(s) into {category.name!r}: {len(report.created)} "
            f"document(s) created, {len(report.new_versions)} new version(s), "
            f"{len(report.duplicates)} duplicate(s), {len(report.rejected)} rejected."
        )
        for document in report.new_versions:
            self.stdout.write(
                f"  new version {document.source_path}: {str(document)!r} "
                f"(#{document.pk}) is now at version {document.version}"
            )
        for duplicate in report.duplicates:
            self.stdout.write(
                f"  duplicate {duplicate.name}: same content as {str(duplicate.existing)!r} "
                f"(#{duplicate.existing.pk})"
            )
        for rejection in report.rejected:
            self.stdout.write(
                self.style.WARNING(f"  rejected  {rejection.name}: {rejection.reason}")
            )
        return report


def collect_files(paths: list[Path]) -> list[tuple[Path, str]]:
    """Each file to upload with its name relative to the folder given (hence its title).

    Hidden files and folders are skipped inside folders, not when named explicitly.
    """
    files = []
    for path in paths:
        if path.is_file():
            files.append((path, path.name))
        elif path.is_dir():
            files.extend(walk_folder(path))
        else:
            raise CommandError(f"No such file or folder: {path}")
    return files


def open_each(files: list[tuple[Path, str]]) -> Iterator[IncomingFile]:
    """Open the files one at a time, each closed once the next one is asked for."""
    for path, name in files:
        with path.open("rb") as stream:
            yield IncomingFile(stream, name)
