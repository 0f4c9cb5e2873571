import time

from django.core.management.base import CommandError

from documents.folder_sync import SyncReport, sync_source
from documents.management.commands.base import DocumentsCommand
from documents.sources import S3Access, SourceUnavailable, open_source


class Command(DocumentsCommand):
    help = (
        "Keep a category in step with a folder or an S3 bucket (s3://bucket/prefix): new "
        "files are added, changed ones become new versions, removed ones are archived (or "
        "deleted with --delete). A second run over an unchanged source changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "source", metavar="SOURCE", help="A folder, or s3://bucket/prefix for a bucket."
        )
        parser.add_argument("--category", required=True, help="Category name or slug.")
        parser.add_argument(
            "--create-category", action="store_true", help="Create the category if it is unknown."
        )
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Delete the documents whose file left the source, instead of archiving them.",
        )
        s3 = parser.add_argument_group("S3 (default: the file storage's MINIO_* settings)")
        s3.add_argument("--endpoint-url", help="S3 endpoint, e.g. http://minio:9000.")
        s3.add_argument("--access-key", help="S3 access key id.")
        s3.add_argument("--secret-key", help="S3 secret access key.")
        s3.add_argument("--region", help="S3 region.")
        self.add_wait_arguments(parser)

    def handle(
        self,
        *args,
        source: str,
        category: str,
        create_category: bool,
        delete: bool,
        endpoint_url: str | None,
        access_key: str | None,
        secret_key: str | None,
        region: str | None,
        wait: bool,
        timeout: float | None,
        strict: bool,
        **options,
    ) -> None:
        access = S3Access.from_settings(
            endpoint_url=endpoint_url, access_key=access_key, secret_key=secret_key, region=region
        )
        selected = self.find_category(category, create=create_category)
        wait = self.start_worker_if_embedded() or wait
        started = time.monotonic()
        try:
            opened = open_source(source, access=access)
            report = sync_source(
                category=selected,
                source=opened,
                delete_removed=delete,
                progress=lambda files: self.progress(files, desc="Syncing", unit="file"),
            )
        except SourceUnavailable as error:
            raise CommandError(str(error)) from error
        self.write_report(report, category=selected.name)
        outcome = self.follow_indexing(report.queued, wait=wait, timeout=timeout, started=started)
        failed = len(outcome.failed) if outcome else 0
        self.exit_if_strict(strict, rejected=len(report.rejected), failed=failed)

    def write_report(self, report: SyncReport, *, category: str) -> None:
        self.stdout.write(f"Synced {report.root} into {category!r}: {report.summary()}")
        for line in report.lines():
            style = self.style.WARNING if line.lstrip().startswith("rejected") else str
            self.stdout.write(style(line))
