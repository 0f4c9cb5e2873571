import pytest
from django.urls import reverse

from ai.passages import Passage, store_passages
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

URL = reverse("chat:search")


def test_the_search_page_asks_anonymous_users_to_log_in(client):
    response = client.get(URL, {"q": "congés"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_search_page_lists_highlighted_passages_with_a_link_to_their_page(admin_client):
    category = CategoryFactory()
    text = "Le report des congés <b>annuels</b> est possible jusqu'au 31 mai."
    store_passages(
        [
            Passage(
                key="page:1",
                embed_text=text,
                payload={
                    "category_id": category.pk,
                    "document_id": 8,
                    "title": "Guide des congés",
                    "page": 4,
                    "text": text,
                },
            )
        ]
    )
    response = admin_client.get(URL, {"q": "report des congés", "category": category.slug})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/documents/8/file#page=4"' in page
    assert "<mark>congés</mark>" in page
    assert "&lt;b&gt;annuels&lt;/b&gt;" in page


def test_a_dead_vector_store_shows_a_message(admin_client, settings):
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    response = admin_client.get(URL, {"q": "congés"})
    assert response.status_code == 200
    assert "indisponible" in response.content.decode()
