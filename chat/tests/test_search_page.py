"""The search page: the questions staff ask every day, and its no-JavaScript fallback."""

import json
import re

import pytest
from django.urls import reverse

from ai.passages import Passage, store_passages
from documents.models import Category
from documents.tests.factories import CategoryFactory, IndexedDocumentFactory, searched_as

pytestmark = pytest.mark.django_db

URL = reverse("chat:search")


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user("agent", password="secret-agent-1")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def json_block(page: str, element_id: str) -> dict:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page)
    assert found, f"no #{element_id} block"
    return json.loads(found.group(1))


def store_passage(category: Category, text: str, *, page: int = 4) -> None:
    payload = {
        **searched_as(IndexedDocumentFactory(category=category, pk=8)),
        "title": "Guide des congés",
        "page": page,
        "text": text,
    }
    store_passages([Passage(key="page:1", embed_text=text, payload=payload)])


def test_the_search_page_asks_anonymous_users_to_log_in(client):
    response = client.get(URL, {"q": "congés"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_category_page_asks_anonymous_users_to_log_in(client):
    category = CategoryFactory()
    response = client.get(reverse("chat:search-category", args=[category.slug]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_site_root_leads_to_the_search_page(agent_client):
    for root in ("/", "/chat/"):
        response = agent_client.get(root)
        assert response.status_code == 302 and response["Location"] == URL


def test_the_former_search_address_leads_to_the_search_page_with_its_query(agent_client):
    response = agent_client.get("/recherche/", {"q": "congés"})
    assert response.status_code == 302
    assert response["Location"].startswith(URL + "?q=")


def test_the_page_renders_the_ask_form_and_the_places_the_script_fills(agent_client):
    CategoryFactory()
    response = agent_client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    for testid in (
        "category-picker",
        "welcome-message",
        "ask-form",
        "ask-button",
        "cancel-button",
        "history",
        "new-conversation",
        "connection-status",
    ):
        assert f'data-testid="{testid}"' in page, testid
    assert '<label for="question"' in page and "Votre question" in page
    assert '<textarea id="question" name="q"' in page


def test_the_picker_lists_only_the_categories_the_user_may_read(agent_client):
    CategoryFactory(name="Ressources humaines")
    CategoryFactory(name="Direction générale", visibility=Category.Visibility.GROUPS)
    picker = agent_client.get(URL).content.decode().split('data-testid="category-picker"')[1]
    picker = picker.split("</nav>")[0]
    assert "Ressources humaines" in picker and "Direction" not in picker


def test_a_category_page_shows_its_welcome_message(agent_client):
    category = CategoryFactory(welcome_message="Bienvenue au service RH.")
    response = agent_client.get(reverse("chat:search-category", args=[category.slug]))
    assert response.status_code == 200
    welcome = response.content.decode().split('data-testid="welcome-message"')[1]
    assert "Bienvenue au service RH." in welcome.split("</div>")[0]


def test_a_category_the_user_may_not_read_is_not_found(agent_client):
    secret = CategoryFactory(visibility=Category.Visibility.GROUPS)
    for slug in (secret.slug, "nexiste-pas"):
        response = agent_client.get(reverse("chat:search-category", args=[slug]))
        assert response.status_code == 404


def test_a_user_who_reads_no_category_is_told_so_and_whom_to_ask(agent_client, settings):
    settings.ACCESS_CONTACT = "Marie Martin (support@exemple.fr)"
    CategoryFactory(name="Direction générale", visibility=Category.Visibility.GROUPS)

    page = agent_client.get(URL, {"q": "congés"}).content.decode()

    assert "Vous n'avez accès à aucune catégorie pour l'instant." in page
    assert "Pour demander l'accès : Marie Martin (support@exemple.fr)." in page
    assert "Aucune catégorie pour l'instant" not in page
    assert 'data-testid="ask-form"' not in page and "passage" not in page.lower()


def test_without_a_contact_the_no_access_page_names_the_administrator(agent_client):
    page = agent_client.get(URL).content.decode()
    assert "Demandez l'accès à l'administrateur de Cassandre." in page


def test_a_user_granted_a_category_by_name_gets_the_search_page(agent_client, agent):
    CategoryFactory(visibility=Category.Visibility.GROUPS).readers.add(agent)
    page = agent_client.get(URL).content.decode()
    assert 'data-testid="ask-form"' in page and 'data-testid="no-access"' not in page


def test_staff_without_categories_are_offered_to_create_the_first(admin_client):
    page = admin_client.get(URL).content.decode()
    assert "Aucune catégorie pour l'instant." in page and "Créer la première" in page


def test_the_script_gets_its_texts_and_settings_from_the_page(agent_client, settings):
    settings.WEBSOCKET_URL = "wss://cassandre.example.org"
    category = CategoryFactory()
    page = agent_client.get(reverse("chat:search-category", args=[category.slug])).content.decode()
    strings = json_block(page, "search-strings")
    assert strings["openDocument"] == "Ouvrir le document"
    config = json_block(page, "search-config")
    assert config["canAsk"] is True and config["category"] == category.slug
    assert config["websocketBase"] == "wss://cassandre.example.org"
    assert config["urls"]["feedback"] == "/api/v1/exchanges/0/feedback/"
    assert config["csrfToken"]
    assert 'type="module" src="/static/js/chat/search.js"' in page


def test_the_header_offers_search_logout_and_the_language(agent_client):
    page = agent_client.get(URL).content.decode()
    assert '<html lang="fr">' in page
    assert 'href="#main"' in page and 'id="main"' in page
    assert f'action="{reverse("logout")}" method="post"' in page
    assert f'action="{reverse("set_language")}" method="post"' in page
    assert 'href="/backoffice/"' not in page


def test_staff_see_the_backoffice_link(admin_client):
    assert 'href="/backoffice/"' in admin_client.get(URL).content.decode()


def test_the_search_page_lists_highlighted_passages_with_a_link_to_their_page(admin_client):
    category = CategoryFactory()
    store_passage(category, "Le report des congés <b>annuels</b> est possible jusqu'au 31 mai.")
    response = admin_client.get(URL, {"q": "report des congés", "category": category.slug})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="passage"' in page
    assert 'href="/documents/8/?page=4&amp;passage=' in page
    assert "<mark>congés</mark>" in page
    assert "&lt;b&gt;annuels&lt;/b&gt;" in page


def test_without_javascript_a_category_page_lists_the_passages_of_its_category(agent_client):
    category = CategoryFactory()
    store_passage(category, "Le report des congés annuels est possible jusqu'au 31 mai.")
    url = reverse("chat:search-category", args=[category.slug])
    page = agent_client.get(url, {"q": "report des congés"}).content.decode()
    assert "31 mai" in page
    assert "/documents/8/?page=4&amp;passage=" in page
    assert f'action="{url}"' in page


def test_a_dead_vector_store_shows_a_message(admin_client, settings):
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    response = admin_client.get(URL, {"q": "congés"})
    assert response.status_code == 200
    assert "indisponible" in response.content.decode()


def test_the_question_box_counts_up_to_the_servers_limit_and_cuts_nothing(agent_client, settings):
    settings.MAX_QUESTION_LENGTH = 3000
    CategoryFactory()  # the agent reads a category: the page has its question box
    page = agent_client.get(URL).content.decode()
    textarea = page.split('<textarea id="question"')[1].split(">")[0]
    assert "maxlength" not in textarea
    assert 'data-testid="question-counter"' in page and 'data-testid="question-refusal"' in page
    assert json_block(page, "search-config")["maxQuestionLength"] == 3000
    assert "{over}" in json_block(page, "search-strings")["questionTooLong"]


def test_without_javascript_a_question_past_the_limit_is_refused_with_a_message(
    agent_client, settings
):
    settings.MAX_QUESTION_LENGTH = 50
    CategoryFactory()
    response = agent_client.get(URL, {"q": "congés " * 20})
    refusal = response.content.decode().split('data-testid="question-refused"')[1].split("</p>")[0]
    assert "50" in refusal and 'data-testid="passage"' not in response.content.decode()
