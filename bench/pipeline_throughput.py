"""Ingestion throughput: the pipeline against the raw speed of its embedding model.

Both are measured in the same process on the same passages: the raw figure embeds the
passages the pipeline would write (nothing else), the pipeline figure runs the real
indexing of every document (read, extract, chunk, embed, sparse vectors, upsert, status
updates). Their ratio is what Cassandre's own overhead costs; 1.0 is the limit.
"""

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings

from ai.embeddings import get_embedder
from ai.passages import passage_store
from documents import indexing
from documents.models import Category, Document
from documents.uploads import create_document
from testing.sample_corpus import write_sample_corpus


@dataclass(frozen=True)
class IngestionThroughput:
    documents: int
    chunks: int
    raw_seconds: float
    pipeline_seconds: float

    @property
    def raw_chunks_per_second(self) -> float:
        return self.chunks / self.raw_seconds

    @property
    def pipeline_chunks_per_second(self) -> float:
        return self.chunks / self.pipeline_seconds

    @property
    def ratio(self) -> float:
        return self.pipeline_chunks_per_second / self.raw_chunks_per_second


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
    """Document by document, the raw embedding of its passages then its real indexing,
    each timed `rounds` times and the best time kept: side by side and repeated, the two
    figures see the same machine (other load, CPU frequency), so their ratio is fair.
    Re-indexing an unchanged document rewrites the same points: every round does it all.
    """
    category = Category.objects.create(name=f"Banc d'essai {time.time_ns()}")
    documents = [
        create_document(category=category, stream=path.open("rb"), filename=path.name)
        for path in files
        if path.is_file()
    ]
    get_embedder().embed(["échauffement du modèle"])
    texts = {
        document.pk: [
            passage.embed_text
            for passage in indexing.prepare_document(document, document.file.read()).passages
        ]
        for document in documents
    }
    raw = dict.fromkeys(texts, float("inf"))
    pipeline = dict.fromkeys(texts, float("inf"))
    for _ in range(rounds):
        for document_id, document_texts in texts.items():
            raw[document_id] = min(raw[document_id], _time_raw_embedding(document_texts))
            started = time.perf_counter()
            indexing.index_document(document_id)
            pipeline[document_id] = min(pipeline[document_id], time.perf_counter() - started)
    indexed = Document.objects.filter(category=category, status=Document.Status.INDEXED)
    return IngestionThroughput(
        documents=indexed.count(),
        chunks=sum(indexed.values_list("chunk_count", flat=True)),
        raw_seconds=sum(raw.values()),
        pipeline_seconds=sum(pipeline.values()),
    )


def _time_raw_embedding(texts: list[str]) -> float:
    started = time.perf_counter()
    get_embedder().embed(texts)  # batched by EMBEDDING_BATCH_SIZE, as in the pipeline
    return time.perf_counter() - started
