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


def category_ids_for_slugs(slugs: list[str]) -> tuple[list[int], list[str]]:
    """The ids of the categories named by `slugs`, and the slugs that name none."""
    found = dict(Category.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    return [found[slug] for slug in slugs if slug in found], [s for s in slugs if s not in found]
