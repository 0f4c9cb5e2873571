"""A file whose text is almost that of a document of its category is offered as that
document's new version, with the similarity shown."""

import pytest
from django.core.files.base import ContentFile

from ai.retrieval import search_passages
from documents import indexing
from documents.models import Category, Document, SignatureBand
from documents.near_duplicates import shingles, signature
from documents.selectors import active_generations
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db

TOPICS = ["les congés annuels", "le télétravail", "le temps partiel", "les astreintes"]
GUIDE = "\n".join(
    f"Article {n}. Pour {TOPICS[n % len(TOPICS)]}, l'agent du service {n * 7} présente sa "
    f"demande {n % 9 + 2} jours avant la date prévue, au plus tard le {n % 28 + 1} du mois."
    for n in range(1, 41)
)
AMENDED = GUIDE.replace("Article 12.", "Article 12 modifié.").replace("service 140 ", "service 9 ")
UNRELATED = "\n".join(
    f"Le comité {n} se réunit en salle {n * 3} pour examiner les candidatures reçues."
    for n in range(1, 41)
)


@pytest.fixture
def index(django_capture_on_commit_callbacks):
    """Create a document with `text` and index it for real; return it as indexed."""

    def index(text: str, *, category: Category, name: str) -> Document:
        with django_capture_on_commit_callbacks(execute=False):
            document = DocumentFactory(
                category=category, file=ContentFile(text.encode(), name=name)
            )
        indexing.index_document(document.pk)
        document.refresh_from_db()
        assert document.status == Document.Status.INDEXED
        return document

    return index


@pytest.fixture
def category() -> Category:
    return CategoryFactory(name="RH")


@pytest.fixture
def guide(index, category) -> Document:
    return index(GUIDE, category=category, name="guide.txt")


@pytest.fixture
def amended(index, category, guide) -> Document:
    return index(AMENDED, category=category, name="guide-2025.txt")


def searched_documents(category: Category) -> set[int]:
    results = search_passages(
        "délai de la demande de télétravail",
        category_ids=[category.pk],
        limit=10,
        searchable=active_generations,
    )
    return {passage.document_id for result in results for passage in (result, *result.others)}


# Detection, at indexing


def test_a_text_differing_by_a_few_words_is_flagged_with_its_similarity(guide, amended):
    assert amended.similar_to == guide
    assert 0.9 <= amended.similarity < 1
    guide.refresh_from_db()
    assert guide.similar_to is None


def test_the_flagged_document_is_indexed_and_searched_like_any_other(guide, amended, category):
    assert searched_documents(category) == {guide.pk, amended.pk}


def test_dissimilar_texts_are_not_flagged(index, category, guide):
    other = index(UNRELATED, category=category, name="comites.txt")

    assert other.similar_to is None and other.similarity is None


def test_a_document_of_another_category_is_never_proposed(index, guide):
    elsewhere = index(AMENDED, category=CategoryFactory(name="Paie"), name="guide.txt")

    assert elsewhere.similar_to is None


def test_the_lookup_goes_through_the_band_keys_of_the_signatures(guide):
    assert SignatureBand.objects.filter(document=guide).count() == 16


def test_a_signature_depends_on_the_words_only_not_on_case_or_punctuation():
    assert (signature(shingles(GUIDE)) == signature(shingles(GUIDE.upper() + " !"))).all()
