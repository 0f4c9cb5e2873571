from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from ai.passages import Passage, store_passages
from documents.models import Document
from documents.tests.factories import CategoryFactory, IndexedDocumentFactory, searched_as

pytestmark = pytest.mark.django_db

URL = reverse("chat_api:search")


@pytest.fixture
def category():
    category = CategoryFactory(name="Ressources humaines")
    guide = IndexedDocumentFactory(category=category, pk=41)
    store_passages(
        [
            Passage(
                key="api:1",
                embed_text="Le report des congés annuels est possible jusqu'au 31 mai.",
                payload={
                    "kind": "document",
                    **searched_as(guide),
                    "title": "Guide des congés",
                    "filename": "conges.pdf",
                    "page": 3,
                    "heading": "",
                    "text": "Le report des congés annuels est possible jusqu'au 31 mai.",
                },
            )
        ]
    )
    return category


def test_anonymous_users_cannot_search(client):
    assert client.get(URL, {"q": "congés"}).status_code in (401, 403)


def test_search_returns_passages_with_their_source_and_a_link_to_the_page(admin_client, category):
    response = admin_client.get(URL, {"q": "report des congés", "category": category.slug})
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["document_id"] == 41
    assert result["title"] == "Guide des congés"
    assert result["page"] == 3
    assert result["url"].startswith("/documents/41/?page=3&passage=")
    assert "<mark>congés</mark>" in result["highlighted"]


@pytest.mark.parametrize(
    "out_of_force",
    [
        {"valid_until": timedelta(days=-1)},
        {"valid_from": timedelta(days=1)},
        {"repealed": True},
    ],
    ids=["expired", "not-yet-in-force", "repealed"],
)
def test_a_document_out_of_force_today_is_not_found(admin_client, category, out_of_force):
    guide = Document.objects.get(pk=41)
    if out_of_force.pop("repealed", False):
        guide.repealed_by = IndexedDocumentFactory(category=category)
    for field, offset in out_of_force.items():
        setattr(guide, field, timezone.localdate() + offset)
    guide.save()

    response = admin_client.get(URL, {"q": "report des congés", "category": category.slug})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_document_is_found_on_the_last_day_it_is_in_force(admin_client, category):
    Document.objects.filter(pk=41).update(valid_until=timezone.localdate())

    response = admin_client.get(URL, {"q": "report des congés", "category": category.slug})

    assert [result["document_id"] for result in response.json()["results"]] == [41]


def test_a_token_authenticates_api_clients(client, admin_user, category):
    token = Token.objects.create(user=admin_user)
    response = client.get(URL, {"q": "congés"}, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_an_unknown_category_is_a_clear_400(admin_client, category):
    response = admin_client.get(URL, {"q": "congés", "category": "inconnue"})
    assert response.status_code == 400
    assert "inconnue" in response.json()["category"][0]


def test_a_missing_query_is_a_400(admin_client):
    assert admin_client.get(URL).status_code == 400


def test_a_dead_vector_store_gives_a_message_not_a_500(admin_client, settings):
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    response = admin_client.get(URL, {"q": "congés"})
    assert response.status_code == 503
    assert "indisponible" in response.json()["detail"]


def test_without_a_limit_a_category_returns_its_own_number_of_passages(admin_client):
    category = CategoryFactory(k=2)
    documents = [IndexedDocumentFactory(category=category) for _ in range(6)]
    store_passages(
        [
            Passage(
                key=f"k:{number}",
                embed_text=f"Congés, règle numéro {number}.",
                payload={**searched_as(document), "text": f"Congés {number}"},
            )
            for number, document in enumerate(documents)
        ]
    )
    response = admin_client.get(URL, {"q": "congés", "category": category.slug})
    assert len(response.json()["results"]) == 2
