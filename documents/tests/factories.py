import factory
from django.core.files.base import ContentFile

from documents.models import Category, Correction, Document


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Circulaires {n}")
    # Open to every logged-in user; the permission tests restrict theirs to groups.
    visibility = Category.Visibility.INTERNAL


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    category = factory.SubFactory(CategoryFactory)
    file = factory.LazyFunction(
        lambda: ContentFile(b"Le teletravail est possible deux jours par semaine.", name="note.txt")
    )


class IndexedDocumentFactory(DocumentFactory):
    """A document the database says is indexed, by generation "g1": searches show the
    passages a test stores for it with that generation (`searched_as`)."""

    status = Document.Status.INDEXED
    index_generation = "g1"


def searched_as(document: Document) -> dict[str, object]:
    """The payload keys that make a stored passage one of `document`'s searched ones."""
    return {
        "category_id": document.category_id,
        "document_id": document.pk,
        "generation": document.index_generation,
    }


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    category = factory.SubFactory(CategoryFactory)
    question = "Combien de jours de télétravail ?"
    answer = "Deux jours par semaine."
