"""Read-only queries on documents, for the other apps."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ai.models import RerankModel
from documents.models import Category, Document, GlossaryEntry, IndexCheck

OPEN_TO_SIGNED_IN = (Category.Visibility.INTERNAL, Category.Visibility.PUBLIC)


def readable_categories(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Category]:
    """The categories `user` may search, ask about, see sources of and open documents of."""
    categories = Category.objects.all()
    if user.is_authenticated and user.is_staff:
        return categories
    if not user.is_authenticated:
        if not settings.PUBLIC_CATEGORIES:
            return categories.none()
        return categories.filter(visibility=Category.Visibility.PUBLIC)
    return categories.filter(_granted_or_open(user))


def _granted_or_open(user: AbstractBaseUser) -> Q:
    """The categories a signed-in user reads without being staff."""
    # Subqueries rather than joins: one query, and no duplicate row for a category granted
    # both by name and through one or more groups.
    return (
        Q(visibility__in=OPEN_TO_SIGNED_IN)
        | Q(pk__in=Category.groups.through.objects.filter(group__user=user).values("category"))
        | Q(pk__in=Category.readers.through.objects.filter(user=user).values("category"))
    )


@dataclass(frozen=True)
class Readership:
    """A category a user reads, and on what grounds (any of them is enough)."""

    category: Category
    by_name: bool
    through_groups: tuple[str, ...]
    open_to_signed_in: bool


def categories_read_by(user: AbstractBaseUser) -> list[Readership]:
    """The categories `user`, not staff, reads and why: granted by name, through which of
    their groups, or open to every signed-in user."""
    categories = (
        Category.objects.filter(_granted_or_open(user))
        .annotate(
            by_name=Exists(
                Category.readers.through.objects.filter(category=OuterRef("pk"), user=user)
            )
        )
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(user=user), to_attr="user_groups")
        )
    )
    return [
        Readership(
            category=category,
            by_name=category.by_name,
            through_groups=tuple(group.name for group in category.user_groups),
            open_to_signed_in=category.visibility in OPEN_TO_SIGNED_IN,
        )
        for category in categories
    ]


def readable_category_ids(user: AbstractBaseUser | AnonymousUser) -> list[int] | None:
    """The ids of `readable_categories(user)`; None for staff, who read every category.

    Searches pass these ids into the vector query itself: passages of other categories are
    never fetched, so neither they nor their number can leak.
    """
    if user.is_authenticated and user.is_staff:
        return None
    return list(readable_categories(user).values_list("pk", flat=True))


def can_read_category(user: AbstractBaseUser | AnonymousUser, category_id: int) -> bool:
    return readable_categories(user).filter(pk=category_id).exists()


def categories_for_home(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Category]:
    return readable_categories(user).annotate(
        indexed_documents=Count("documents", filter=Q(documents__status=Document.Status.INDEXED))
    )


def active_generations(
    document_ids: Collection[int], *, include_out_of_force: bool = False
) -> dict[int, str]:
    """The generation of passages each of `document_ids` is searched by: the last one
    indexed completely. A document never indexed, or deleted, has none; nor has one out of
    force today (`documents.validity`), unless `include_out_of_force`."""
    documents = Document.objects.filter(pk__in=document_ids).exclude(index_generation="")
    if not include_out_of_force:
        documents = documents.in_force(on=timezone.localdate())
    return dict(documents.values_list("pk", "index_generation"))


def documents_expiring(document_ids: Collection[int]) -> list[Document]:
    """Those of `document_ids` in force today that end soon (`validity.EXPIRY_WARNING`),
    in the order of `document_ids`."""
    found = Document.objects.filter(pk__in=document_ids).expiring(on=timezone.localdate())
    by_id = {document.pk: document for document in found}
    return [by_id[pk] for pk in dict.fromkeys(document_ids) if pk in by_id]


def documents_indexed_with_another_model() -> QuerySet[Document]:
    """Indexed documents whose passages live in another model's collection."""
    from ai.embeddings import get_embedder

    return Document.objects.filter(status=Document.Status.INDEXED).exclude(
        embedding_model=get_embedder().model_id
    )


def latest_index_check() -> IndexCheck | None:
    """The last finished comparison of the database with the vector store."""
    return IndexCheck.objects.exclude(finished_at=None).first()


def category_ids_for_slugs(
    slugs: list[str], *, among: QuerySet[Category] | None = None
) -> tuple[list[int], list[str]]:
    """The ids of the categories named by `slugs`, and the slugs that name none (`among`
    limits the categories looked at: one a user may not read is unknown to them)."""
    categories = Category.objects.all() if among is None else among
    found = dict(categories.filter(slug__in=slugs).values_list("slug", "pk"))
    return [found[slug] for slug in slugs if slug in found], [s for s in slugs if s not in found]


def glossary_for(
    category_ids: Sequence[int] | None, *, abbreviations: Collection[str] | None = None
) -> QuerySet[GlossaryEntry]:
    """The glossary of `category_ids` (None: every category), global entries included.

    `abbreviations`, normalised (`normalize_abbreviation`), keeps only their entries.
    """
    entries = GlossaryEntry.objects.all()
    if category_ids is not None:
        entries = entries.filter(Q(category__isnull=True) | Q(category_id__in=category_ids))
    if abbreviations is not None:
        entries = entries.filter(normalized__in=abbreviations)
    return entries


def relevance_thresholds(category_ids: Sequence[int] | None) -> dict[int, float]:
    """The relevance threshold of each category that has one (all categories for None)."""
    categories = Category.objects.exclude(relevance_threshold=None)
    if category_ids is not None:
        categories = categories.filter(pk__in=category_ids)
    return dict(categories.values_list("pk", "relevance_threshold"))


DEFAULT_PASSAGE_COUNT = 5


def passages_wanted(category_ids: Sequence[int] | None) -> int:
    """How many passages a search returns: the category's k when there is one category."""
    if category_ids is not None and len(category_ids) == 1:
        k = Category.objects.filter(pk=category_ids[0]).values_list("k", flat=True).first()
        if k:
            return k
    return DEFAULT_PASSAGE_COUNT


def rerank_model_of(category_ids: Sequence[int] | None) -> RerankModel | None:
    """The reranking API a search uses: one category's own; the site's (None) otherwise."""
    if category_ids is None or len(category_ids) != 1:
        return None
    category = Category.objects.select_related("rerank_model").filter(pk=category_ids[0]).first()
    return category.rerank_model if category else None
