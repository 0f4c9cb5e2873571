"""Read-only queries on documents, for the other apps."""

from django.db.models import Count, Q, QuerySet

from documents.models import Category, Document


def categories_for_home() -> QuerySet[Category]:
    return Category.objects.annotate(
        indexed_documents=Count("documents", filter=Q(documents__status=Document.Status.INDEXED))
    )


def documents_indexed_with_another_model() -> QuerySet[Document]:
    """Indexed documents whose passages live in another model's collection."""
    from ai.embeddings import get_embedder

    return Document.objects.filter(status=Document.Status.INDEXED).exclude(
        embedding_model=get_embedder().model_id
    )
