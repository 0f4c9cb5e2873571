"""Ingestion: the corpus uploaded to a served Cassandre and indexed by its real worker,
against the raw embedding of the same passages (the limit) and a plain LangChain pipeline.

The end-to-end time runs from the first upload request to the last document's end
(indexed or failed), as recorded by the worker. The raw time embeds, document by document
as the worker does, exactly the passages the worker wrote (rebuilt from the stored files
once the server has stopped); nothing else.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.soak.load import Target

UPLOAD_BATCH = 20  # files per POST /api/documents/
POLL_INTERVAL = 0.5


@dataclass(frozen=True)
class Throughput:
    documents: int
    chunks: int
    seconds: float
    failed: int = 0

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds


def upload_and_wait(target: Target, paths: Sequence[Path], *, timeout: float) -> Throughput:
    """Upload every file through the API, then wait until the worker has finished them."""
    from django.db.models import Max, Sum

    from documents.models import Document

    started = time.time()
    ids = upload(target, paths)
    finished = (Document.Status.INDEXED, Document.Status.FAILED)
    deadline = time.monotonic() + timeout
    documents = Document.objects.filter(pk__in=ids)
    while documents.exclude(status__in=finished).exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Documents still not indexed after {timeout:.0f} s.")
        time.sleep(POLL_INTERVAL)
    indexed = documents.filter(status=Document.Status.INDEXED)
    last = documents.aggregate(last=Max("updated_at"))["last"]
    return Throughput(
        documents=indexed.count(),
        chunks=indexed.aggregate(chunks=Sum("chunk_count"))["chunks"] or 0,
        seconds=last.timestamp() - started,
        failed=documents.filter(status=Document.Status.FAILED).count(),
    )


def upload(target: Target, paths: Sequence[Path]) -> list[int]:
    """POST the files in batches; the ids of the documents created."""
    ids: list[int] = []
    headers = {"Authorization": f"Token {target.token}"}
    with httpx.Client(base_url=target.base_url, headers=headers, timeout=120) as client:
        for start in range(0, len(paths), UPLOAD_BATCH):
            files = [
                ("file", (path.name, path.read_bytes()))
                for path in paths[start : start + UPLOAD_BATCH]
            ]
            response = client.post(
                "/api/documents/", data={"category": target.upload_category}, files=files
            )
            body = response.json()
            if response.status_code != 201 or body["rejected"] or body["duplicates"]:
                raise RuntimeError(f"Upload refused (HTTP {response.status_code}): {body}")
            ids.extend(document["id"] for document in body["created"])
    return ids


def indexed_passage_texts(category_slug: str) -> list[list[str]]:
    """Per indexed document of the category, the texts its passages were embedded from."""
    from documents import indexing
    from documents.models import Document

    documents = Document.objects.filter(
        category__slug=category_slug, status=Document.Status.INDEXED
    ).select_related("category")
    texts = []
    for document in documents.order_by("pk"):
        with document.file.open("rb") as stored:
            prepared = indexing.prepare_document(document, stored.read())
        texts.append([passage.embed_text for passage in prepared.passages])
    return texts


def raw_embedding(texts: Sequence[Sequence[str]]) -> Throughput:
    """The embedding model alone on `texts`, one document's passages per call."""
    from ai.embeddings import get_embedder

    embedder = get_embedder()
    embedder.embed(["échauffement du modèle"])
    started = time.perf_counter()
    for document_texts in texts:
        embedder.embed(document_texts)
    return Throughput(
        documents=len(texts),
        chunks=sum(len(document_texts) for document_texts in texts),
        seconds=time.perf_counter() - started,
    )
