"""The /healthz check of the documents' passages: the vector store holds what the database
says was indexed.

Qdrant Edge keeps its store in a folder: deleted while the server runs, or lost with a
volume, the store comes back empty (created again on first use) while every document still
says "indexed" — search then finds nothing and nobody is told. The store's count of the
current model's document passages must reach what the indexed documents recorded.
"""

from django.db import connection
from django.db.models import Sum

from ai.embeddings import get_embedder
from ai.passages import stored_passage_count
from common.health import Details
from documents.models import Document


class PassagesMissing(Exception):
    """The vector store holds fewer passages than the indexed documents recorded."""


def expected_passage_count() -> int:
    indexed = Document.objects.filter(
        status=Document.Status.INDEXED, embedding_model=get_embedder().model_id
    )
    return indexed.aggregate(total=Sum("chunk_count"))["total"] or 0


def check_passages() -> Details:
    try:
        expected = expected_passage_count()
    finally:
        connection.close()  # this thread's own connection
    stored = stored_passage_count({"kind": "document"}) if expected else 0
    if stored < expected:
        raise PassagesMissing(f"{stored} passages in the vector store, {expected} expected")
    return {"passages": expected}
