"""Read-only queries on documents, for the other apps."""

from django.db.models import Count, Q, QuerySet

from documents.models import Category, Document


def categories_for_home() -> QuerySet[Category]:
    return Category.objects.annotate(
        indexed_documents=Count("documents", filter=Q(documents__status=Document.Status.INDEXED))
    )
