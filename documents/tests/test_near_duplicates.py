"""A file whose text is almost that of a document of its category is offered as that
document's new version, with the similarity shown — through indexing, the admin and the API."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

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


# The admin


def test_the_admin_offers_to_make_the_duplicate_a_new_version(admin_client, guide, amended):
    page = admin_client.get(reverse("admin:documents_document_change", args=[amended.pk]))

    offer = page.content.decode().split('data-testid="near-duplicate"')[1].split("</ul>")[0]
    assert "probablement une nouvelle version de" in offer
    assert f"En faire une nouvelle version de « {guide} » (97 % identique)" in offer
    assert reverse("admin:documents_document_merge", args=[amended.pk, guide.pk]) in offer
    untouched = admin_client.get(reverse("admin:documents_document_change", args=[guide.pk]))
    assert 'data-testid="near-duplicate"' not in untouched.content.decode()


def test_merging_in_the_admin_makes_the_duplicate_version_2_of_the_first(
    admin_client, guide, amended, category
):
    response = admin_client.post(
        reverse("admin:documents_document_merge", args=[amended.pk, guide.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "admin:documents_document_change", args=[guide.pk]
    )
    assert "est devenu la version 2 de" in response.content.decode()
    assert not Document.objects.filter(pk=amended.pk).exists()
    guide.refresh_from_db()
    assert (guide.version, guide.original_filename) == (2, "guide-2025.txt")
    assert guide.versions.get().original_filename == "guide.txt"
    indexing.index_document(guide.pk)
    guide.refresh_from_db()
    assert guide.extracted_text.text == AMENDED and guide.similar_to is None
    assert searched_documents(category) == {guide.pk}


def test_the_admin_lists_the_probable_duplicates_under_their_filter(admin_client, guide, amended):
    changelist = reverse("admin:documents_document_changelist")

    page = admin_client.get(f"{changelist}?doublon=oui").content.decode()

    assert "doublon probable" in page
    assert f'data-testid="progress-{amended.pk}"' in page
    assert f'data-testid="progress-{guide.pk}"' not in page


def test_the_admin_action_merges_each_selected_duplicate_into_its_document(
    admin_client, guide, amended
):
    admin_client.post(
        reverse("admin:documents_document_changelist"),
        {"action": "merge_near_duplicates", "_selected_action": [amended.pk]},
    )

    assert list(Document.objects.values_list("pk", "version")) == [(guide.pk, 2)]


def test_keeping_both_clears_the_offer_until_the_text_changes(admin_client, guide, amended):
    admin_client.post(reverse("admin:documents_document_keep_apart", args=[amended.pk]))

    amended.refresh_from_db()
    assert amended.similar_to is None and amended.similarity is None
    indexing.index_document(amended.pk)
    amended.refresh_from_db()
    assert amended.similar_to is None


def test_merging_in_the_admin_takes_the_permission_to_delete(client, django_user_model, amended):
    editor = django_user_model.objects.create_user("editeur", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_document"))
    client.force_login(editor)

    url = reverse("admin:documents_document_merge", args=[amended.pk, amended.similar_to_id])
    assert client.post(url).status_code == 403
    assert Document.objects.filter(pk=amended.pk).exists()


# The API


@pytest.fixture
def api(admin_user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    return client


def test_the_api_shows_what_a_document_probably_is_a_new_version_of(api, guide, amended):
    body = api.get(f"/api/documents/{amended.pk}/").json()

    assert body["similar_to"] == guide.pk and body["similarity"] >= 0.9
    assert api.get(f"/api/documents/{guide.pk}/").json()["similar_to"] is None


def test_the_api_merges_the_duplicate_into_the_document_it_repeats(api, guide, amended):
    response = api.post(f"/api/documents/{amended.pk}/merge-into/{guide.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["version"], body["status"]) == (guide.pk, 2, "pending")
    assert api.get(f"/api/documents/{amended.pk}/").status_code == 404


def test_the_api_refuses_to_merge_documents_of_different_categories(api, index, guide):
    elsewhere = index(AMENDED, category=CategoryFactory(name="Paie"), name="guide.txt")

    response = api.post(f"/api/documents/{elsewhere.pk}/merge-into/{guide.pk}/")

    assert response.status_code == 400 and response.json()["code"] == "not-a-version"
    assert "pas de la même catégorie" in response.json()["detail"]


def test_merging_through_the_api_takes_the_permission_to_delete(django_user_model, amended):
    editor = django_user_model.objects.create_user("editeur")
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_document", "change_document"])
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")

    response = client.post(f"/api/documents/{amended.pk}/merge-into/{amended.similar_to_id}/")

    assert response.status_code == 403
    assert Document.objects.filter(pk=amended.pk).exists()


def test_the_api_dismisses_the_offer(api, amended):
    response = api.delete(f"/api/documents/{amended.pk}/similar-to/")

    assert response.status_code == 204
    assert api.get(f"/api/documents/{amended.pk}/").json()["similar_to"] is None
