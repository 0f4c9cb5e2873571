"""Ingestion throughput: the pipeline against the raw speed of its embedding model.

Both are measured in the same process on the same passages: the raw figure embeds the
passages the pipeline would write (nothing else), the pipeline figure runs the real
indexing of every document (read, extract, chunk, embed, sparse vectors, upsert, status
updates). Their ratio is what Cassandre's own overhead costs; 1.0 is the limit.

The pipeline runs two ways in each round: one document after the other (one slot, as with
INDEXING_PREPARE_AHEAD off) and two slots taking the documents in turn, as the embedded
worker's two threads do (the next document prepared while one embeds).
"""

import queue
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.test.utils import override_settings

from ai.embeddings import get_embedder
from ai.passages import passage_store
from documents import indexing
from documents.models import Category, Document
from documents.uploads import create_document
from testing.sample_corpus import write_sample_corpus


@dataclass(frozen=True)
class Round:
    raw_seconds: float
    one_slot_seconds: float
    two_slots_seconds: float


@dataclass(frozen=True)
class IngestionThroughput:
    documents: int
    chunks: int
    rounds: list[Round]

    @property
    def raw_chunks_per_second(self) -> float:
        return self.chunks / min(each.raw_seconds for each in self.rounds)

    @property
    def pipeline_chunks_per_second(self) -> float:
        """With two slots, as the embedded worker indexes."""
        return self.chunks / min(each.two_slots_seconds for each in self.rounds)

    @property
    def ratios(self) -> list[float]:
        """Two slots against the raw embedding, round by round."""
        return [each.raw_seconds / each.two_slots_seconds for each in self.rounds]

    @property
    def one_slot_ratios(self) -> list[float]:
        return [each.raw_seconds / each.one_slot_seconds for each in self.rounds]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)


class _RolledBack(Exception):
    """Raised to undo the benchmark's rows once measured."""


def measure_ingestion(
    *, count: int, corpus: Path | None = None, rounds: int = 3
) -> IngestionThroughput:
    """Index `count` sample documents (or the files of `corpus`) in a scratch space.

    Rows are rolled back, files and vectors live in a temporary folder and collection:
    nothing is left behind and no task is queued.
    """
    with tempfile.TemporaryDirectory() as scratch:
        scratch_dir = Path(scratch)
        files = (
            sorted(corpus.iterdir())
            if corpus
            else write_sample_corpus(scratch_dir / "corpus", count=count, broken_share=0)
        )
        storage = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": scratch_dir / "media"},
        }
        with override_settings(
            STORAGES={**settings.STORAGES, "default": storage},
            VECTOR_STORE_PATH=scratch_dir / "qdrant",
            QDRANT_COLLECTION=f"{settings.QDRANT_COLLECTION}-benchmark",
        ):
            result: IngestionThroughput | None = None
            try:
                with transaction.atomic():
                    result = _measure(files, rounds=rounds)
                    raise _RolledBack
            except _RolledBack:
                pass
            passage_store().drop_collection()
    assert result is not None
    return result


def _measure(files: list[Path], *, rounds: int) -> IngestionThroughput:
    """Each round times the raw embedding of every document's passages, then their real
    indexing with one slot, then with two: side by side, the three figures see the same
    machine (other load, CPU frequency), so their ratios are fair. Re-indexing an unchanged
    document rewrites the same points: every round does it all.
    """
    category = Category.objects.create(name=f"Banc d'essai {time.time_ns()}")
    documents = [
        create_document(category=category, stream=path.open("rb"), filename=path.name)
        for path in files
        if path.is_file()
    ]
    get_embedder().embed(["échauffement du modèle"])
    texts = [
        [
            passage.embed_text
            for passage in indexing.prepare_document(document, document.file.read()).passages
        ]
        for document in documents
    ]
    ids = [document.pk for document in documents]
    measured = [
        Round(
            raw_seconds=sum(_time_raw_embedding(each) for each in texts),
            one_slot_seconds=_timed(lambda: [indexing.index_document(pk) for pk in ids]),
            two_slots_seconds=_timed(lambda: _index_in_two_slots(ids)),
        )
        for _ in range(rounds)
    ]
    indexed = Document.objects.filter(category=category, status=Document.Status.INDEXED)
    return IngestionThroughput(
        documents=indexed.count(),
        chunks=sum(indexed.values_list("chunk_count", flat=True)),
        rounds=measured,
    )


def _index_in_two_slots(document_ids: list[int]) -> None:
    """Two threads take the next document as they are free, like the embedded worker's.
    They share this thread's connection, whose transaction the benchmark rolls back (the
    worker's threads each have their own)."""
    pending: queue.SimpleQueue[int] = queue.SimpleQueue()
    for document_id in document_ids:
        pending.put(document_id)

    def slot() -> None:
        connections[connection.alias] = shared
        while True:
            try:
                document_id = pending.get_nowait()
            except queue.Empty:
                return
            indexing.index_document(document_id)

    shared = connections[connection.alias]
    shared.inc_thread_sharing()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for finished in [pool.submit(slot) for _ in range(2)]:
                finished.result()
    finally:
        shared.dec_thread_sharing()


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _time_raw_embedding(texts: list[str]) -> float:
    # Batched by EMBEDDING_BATCH_SIZE, as in the pipeline.
    return _timed(lambda: get_embedder().embed(texts))
