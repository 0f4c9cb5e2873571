"""What the documents commands share: finding the category, progress bars, and following
the worker until the documents a command queued are indexed."""

import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from celery.signals import worker_ready
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from common.embedded_worker import (
    embedded_server_running,
    quiet_worker_log,
    start_embedded_worker,
)
from documents.models import Category, Document
from documents.services import leave_to_the_running_server

POLL_INTERVAL = 0.5
WORKER_READY_TIMEOUT = 10
ID_BATCH = 500  # keeps `pk IN (...)` under the database's parameter limits
FINISHED = (Document.Status.INDEXED, Document.Status.FAILED)


@dataclass
class IndexingOutcome:
    indexed: int = 0
    chunks: int = 0
    failed: list[Document] = field(default_factory=list)
    unfinished: int = 0


class DocumentsCommand(BaseCommand):
    verbosity = 1
    # Set when an embedded server runs on the same data folder: its worker indexes.
    beside_the_server = False

    def add_wait_arguments(self, parser) -> None:
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Block until every queued document is indexed or failed, then summarise.",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help="With --wait: give up after this long (exit status 1). Default: no limit.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Exit with status 1 if a file was rejected or a document failed.",
        )

    def execute(self, *args, **options):
        self.verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)

    def find_category(self, name_or_slug: str, *, create: bool = False) -> Category:
        category = (
            Category.objects.filter(name=name_or_slug).first()
            or Category.objects.filter(slug=name_or_slug).first()
        )
        if category is not None:
            return category
        if create:
            category = Category.objects.create(name=name_or_slug)
            self.stdout.write(f"Created category {category.name!r} (slug {category.slug!r}).")
            return category
        existing = ", ".join(f"{c.name!r} ({c.slug})" for c in Category.objects.all())
        raise CommandError(
            f"Unknown category {name_or_slug!r}. "
            + (f"Existing categories: {existing}. " if existing else "There is no category yet. ")
            + "Pass --create-category to create it."
        )

    def progress(self, iterable: Iterable | None = None, **options) -> tqdm:
        # tqdm redraws its line with "\r": it writes to the raw stream, not to the
        # OutputWrapper, which would end each of its writes with a newline.
        return tqdm(
            iterable,
            file=getattr(self.stderr, "_out", self.stderr),
            disable=self.verbosity == 0,
            dynamic_ncols=True,
            **options,
        )

    def start_worker_if_embedded(self) -> bool:
        """On the memory broker, run the worker in this process; True when it was needed.

        Queued tasks only reach a worker of the same process there. Uploading starts once
        the worker is ready, because on readiness it re-queues every pending document and
        would queue a second time those created meanwhile. With `manage.py serve` running on
        the same data folder, no worker starts here: its worker indexes instead (see
        `follow_indexing`), since a second process could not open the Qdrant Edge store.
        The worker's own log lines show with `-v 2` only: under the progress bar, two per
        document bury it.
        """
        if not settings.EMBEDDED_WORKER:
            return False
        if embedded_server_running():
            self.beside_the_server = True
            return False
        if self.verbosity < 2:
            quiet_worker_log()
        ready = threading.Event()

        def on_ready(**kwargs) -> None:
            ready.set()

        worker_ready.connect(on_ready, weak=False)
        try:
            start_embedded_worker()
            ready.wait(WORKER_READY_TIMEOUT)
        finally:
            worker_ready.disconnect(on_ready)
        self.stdout.write(
            "Embedded mode (memory broker, no CELERY_BROKER_URL): the worker runs inside this "
            "command, so it waits until indexing ends (--wait implied)."
        )
        return True

    def wait_for_indexing(
        self, document_ids: list[int], *, timeout: float | None
    ) -> IndexingOutcome:
        """Poll the database until every document is indexed or failed, or `timeout` passes."""
        waiting = set(document_ids)
        deadline = None if timeout is None else time.monotonic() + timeout
        if waiting:
            self.stdout.write(
                f"Waiting for {len(waiting)} document(s) to be indexed "
                "(Ctrl-C stops the waiting, not the indexing)."
            )
        with self.progress(total=len(waiting), desc="Indexing", unit="doc") as bar:
            try:
                while waiting:
                    finished = _finished(waiting)
                    waiting -= finished
                    bar.update(len(finished))
                    if not waiting or (deadline is not None and time.monotonic() >= deadline):
                        break
                    time.sleep(POLL_INTERVAL)
            except KeyboardInterrupt:
                # Stopping the wait is not cancelling: summarise what is done so far.
                self.stderr.write("Interrupted: no longer waiting for the worker.")
        return _outcome(document_ids, unfinished=len(waiting))

    def follow_indexing(
        self, document_ids: list[int], *, wait: bool, timeout: float | None, started: float
    ) -> IndexingOutcome | None:
        """Say what was queued, or wait for it and summarise; None when not waiting."""
        if self.beside_the_server:
            leave_to_the_running_server(document_ids)
            self.stdout.write(
                f"{len(document_ids)} document(s) handed to the running server (manage.py "
                f"serve on this data folder): its worker indexes them within "
                f"{settings.PENDING_SWEEP_INTERVAL} s, no restart needed "
                "(pass --wait to follow it)."
            )
        elif not wait:
            self.stdout.write(
                f"{len(document_ids)} document(s) queued: a Celery worker indexes them "
                "(pass --wait to follow it)."
            )
        if not wait:
            return None
        outcome = self.wait_for_indexing(document_ids, timeout=timeout)
        self.write_summary(outcome, seconds=time.monotonic() - started)
        if outcome.unfinished:
            raise CommandError(
                f"Stopped waiting with {outcome.unfinished} document(s) still pending or "
                "processing; they stay queued (on the memory broker, the next "
                "`manage.py serve` queues them again)."
            )
        return outcome

    def exit_if_strict(self, strict: bool, *, rejected: int, failed: int) -> None:
        if strict and (rejected or failed):
            raise CommandError(
                f"--strict: {rejected} file(s) rejected, {failed} document(s) failed.",
                returncode=1,
            )

    def write_summary(self, outcome: IndexingOutcome, *, seconds: float) -> None:
        rate = outcome.chunks / seconds if seconds else 0.0
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed: {outcome.indexed} document(s), {outcome.chunks} chunk(s) in "
                f"{seconds:.1f} s ({rate:.1f} chunks/s)."
            )
        )
        if outcome.failed:
            self.stdout.write(self.style.ERROR(f"Failed: {len(outcome.failed)} document(s):"))
            for document in outcome.failed:
                self.stdout.write(f"  - {document} (#{document.pk}): {document.error_message}")
        if outcome.unfinished:
            self.stdout.write(
                self.style.WARNING(f"Not finished in time: {outcome.unfinished} document(s).")
            )


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(ids)
    for start in range(0, len(ids), ID_BATCH):
        yield ids[start : start + ID_BATCH]


def _finished(document_ids: set[int]) -> set[int]:
    """The documents indexed or failed by now; a deleted document is finished too."""
    found: dict[int, str] = {}
    for batch in _batches(document_ids):
        found.update(Document.objects.filter(pk__in=batch).values_list("pk", "status"))
    return {pk for pk in document_ids if pk not in found or found[pk] in FINISHED}


def _outcome(document_ids: list[int], *, unfinished: int) -> IndexingOutcome:
    outcome = IndexingOutcome(unfinished=unfinished)
    fields = ["title", "original_filename", "status", "error_message", "chunk_count"]
    for batch in _batches(document_ids):
        for document in Document.objects.filter(pk__in=batch).only(*fields).order_by("pk"):
            if document.status == Document.Status.INDEXED:
                outcome.indexed += 1
                outcome.chunks += document.chunk_count
            elif document.status == Document.Status.FAILED:
                outcome.failed.append(document)
    return outcome
