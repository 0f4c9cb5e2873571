"""A document moved from a category everyone reads to a restricted one: from the save on,
readers of the old category get nothing of it — search API, search page, websocket,
viewer — and readers of the new one find it once indexed again. On both vector stores."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from chat.consumers import ChatConsumer
from documents.indexing import index_document
from documents.models import Category, Document
from documents.tests.factories import CategoryFactory, DocumentFactory

SECRET = "Le plan social prévoit la fermeture du site de Lannion au printemps."
QUESTION = "fermeture du site de Lannion"
MARKER = "printemps"  # in the document, not in the question the pages repeat

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["edge", "qdrant_server"])
def vector_store(request, settings):
    """Qdrant Edge in the process, or the Qdrant server backend (qdrant-client's local mode,
    which speaks the server's API)."""
    if request.param == "qdrant_server":
        settings.QDRANT_URL = ":memory:"
    return request.param


@pytest.fixture(autouse=True)
def _extractive_answers(settings):
    settings.LLM_PROVIDER = "extractive"


@pytest.fixture
def categories():
    open_to_all = CategoryFactory(name="Notes de service", visibility=Category.Visibility.INTERNAL)
    restricted = CategoryFactory(name="Direction", visibility=Category.Visibility.GROUPS)
    restricted.groups.add(Group.objects.create(name="Comité de direction"))
    return open_to_all, restricted


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user("agent", password="secret-agent-1")


@pytest.fixture
def director(django_user_model):
    director = django_user_model.objects.create_user("directrice", password="secret-dir-1")
    director.groups.add(Group.objects.get(name="Comité de direction"))
    return director


@pytest.fixture
def plan(vector_store, categories, django_capture_on_commit_callbacks) -> Document:
    with django_capture_on_commit_callbacks(execute=False):
        document = DocumentFactory(
            category=categories[0], file=ContentFile(SECRET.encode(), name="plan.txt")
        )
    index_document(document.pk)
    return document


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def found_through_the_api(user, category: Category) -> bool:
    response = client_of(user).get(
        reverse("chat_api:search"), {"q": QUESTION, "category": category.slug}
    )
    assert response.status_code == 200
    return any(MARKER in result["text"] for result in response.json()["results"])


def found_on_the_search_page(user, category: Category) -> bool:
    url = reverse("chat:search-category", args=[category.slug])
    return MARKER in client_of(user).get(url, {"q": QUESTION}).content.decode()


def found_through_the_websocket(user, category: Category) -> bool:
    async def ask() -> list[dict]:
        communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        assert connected
        await communicator.send_json_to(
            {"type": "ask", "id": "q1", "question": QUESTION, "category": category.slug}
        )
        messages = []
        while not messages or messages[-1]["type"] not in {"done", "error"}:
            messages.append(await communicator.receive_json_from(timeout=10))
        await communicator.disconnect()
        return messages

    return MARKER in str(async_to_sync(ask)())


def opened_in_the_viewer(user, document: Document) -> bool:
    return client_of(user).get(reverse("documents:view", args=[document.pk])).status_code == 200


def reads(user, category: Category, document: Document) -> dict[str, bool]:
    return {
        "search API": found_through_the_api(user, category),
        "search page": found_on_the_search_page(user, category),
        "websocket": found_through_the_websocket(user, category),
        "viewer": opened_in_the_viewer(user, document),
    }


NOTHING = {"search API": False, "search page": False, "websocket": False, "viewer": False}
EVERYTHING = {"search API": True, "search page": True, "websocket": True, "viewer": True}


def test_before_the_move_every_reader_of_the_open_category_reads_the_document(
    plan, categories, agent
):
    assert reads(agent, categories[0], plan) == EVERYTHING


def test_from_the_save_on_readers_of_the_old_category_get_nothing_of_it(
    plan, categories, agent, django_capture_on_commit_callbacks
):
    open_to_all, restricted = categories
    with django_capture_on_commit_callbacks(execute=False):
        plan.category = restricted
        plan.save()
        # Saved, not indexed again yet: already nothing for the old category's readers.
        assert reads(agent, open_to_all, plan) == NOTHING


def test_once_indexed_again_readers_of_the_new_category_find_it_and_the_others_still_not(
    plan, categories, agent, director, eager_tasks, django_capture_on_commit_callbacks
):
    open_to_all, restricted = categories
    with django_capture_on_commit_callbacks(execute=True):
        plan.category = restricted
        plan.save()

    plan.refresh_from_db()
    assert plan.status == Document.Status.INDEXED
    assert reads(director, restricted, plan) == EVERYTHING
    assert reads(agent, open_to_all, plan) == NOTHING
