"""A user without access to a category gets nothing of it — no passage, no count, no file —
through any interface: search page, search API, answer API (now and later), websocket,
document download, conversations, staff pages; and one granted it, through a group or by
name, gets it through each of them."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.authtoken.models import Token

from chat.answering import in_thread
from chat.complete_answers import create_answer_task, run_answer_task
from chat.consumers import ChatConsumer
from chat.models import AnswerTask, Conversation
from chat.tests.conftest import index_text
from documents.models import Category
from documents.tests.factories import CategoryFactory

# Asked about, so echoed back as the question: what must not come back is the rest.
SECRET_WORD = "zorglub"
SECRET = f"Le plan {SECRET_WORD} prévoit la fusion des services en 2027, confidentiel."
SECRET_QUESTION = f"Que prévoit le plan {SECRET_WORD} pour la fusion des services ?"
OPEN = "Le télétravail est autorisé deux jours par semaine."


@pytest.fixture
def granted(transactional_db):
    category = CategoryFactory(name="Accordée", visibility=Category.Visibility.GROUPS)
    index_text(category, "teletravail.txt", OPEN)
    return category


@pytest.fixture
def secret(transactional_db):
    category = CategoryFactory(name="Direction", visibility=Category.Visibility.GROUPS)
    category.document = index_text(category, "zz-plan.txt", SECRET)
    return category


@pytest.fixture
def agent(granted, secret, django_user_model):
    group = Group.objects.create(name="Agents")
    granted.groups.add(group)
    user = django_user_model.objects.create_user("agent", password="secret-agent-1")
    user.groups.add(group)
    return user


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def leaks(text: str) -> bool:
    return "confidentiel" in text or "Direction" in text or "zz-plan" in text


def test_the_home_page_neither_lists_nor_counts_the_category(agent_client):
    page = agent_client.get("/", follow=True).content.decode()
    assert "Accordée" in page and not leaks(page)


def test_the_search_page_finds_nothing_of_it_even_asked_for_it(agent_client, secret):
    everywhere = agent_client.get(reverse("chat:search"), {"q": SECRET_WORD}).content.decode()
    assert not leaks(everywhere)
    response = agent_client.get(reverse("chat:search"), {"q": SECRET_WORD, "category": secret.slug})
    assert not leaks(response.content.decode())


def test_the_search_api_finds_nothing_of_it_and_calls_it_unknown(agent, secret):
    token = Token.objects.create(user=agent)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    from django.test import Client

    api = Client()
    everywhere = api.get("/api/search", {"q": SECRET_WORD}, **headers)
    assert everywhere.status_code == 200 and not leaks(everywhere.content.decode())
    named = api.get("/api/search", {"q": SECRET_WORD, "category": secret.slug}, **headers)
    assert named.status_code == 400
    unknown = api.get("/api/search", {"q": SECRET_WORD, "category": "nexiste-pas"}, **headers)
    assert named.json()["category"][0].replace(secret.slug, "X") == (
        unknown.json()["category"][0].replace("nexiste-pas", "X")
    )


def test_the_answer_api_calls_it_unknown(agent_client, secret, extractive):
    url = reverse("api_v1:answer", args=[secret.slug])
    response = agent_client.post(url, {"question": SECRET_WORD}, content_type="application/json")
    assert response.status_code == 404 and not leaks(response.content.decode())


def test_the_answer_api_without_category_answers_from_the_others_only(agent, granted, extractive):
    from chat.complete_answers import answer_now

    answer = answer_now(user_id=agent.pk, question=SECRET_WORD, category_slug=granted.slug)
    assert not leaks(str(answer))


def test_an_asynchronous_answer_cannot_target_it(agent_client, secret, extractive):
    response = agent_client.post(
        reverse("api_v1:answer-task-create"),
        {"question": SECRET_WORD, "category": secret.slug},
        content_type="application/json",
    )
    assert response.status_code == 400 and "Direction" not in response.content.decode()


def test_a_task_queued_before_access_was_withdrawn_answers_nothing_of_it(
    agent, secret, grant, extractive
):
    withdraw = grant(agent, secret)
    task = create_answer_task(user_id=agent.pk, category=secret, question=SECRET_WORD)
    withdraw()
    run_answer_task(task_id=task.pk)
    task = AnswerTask.objects.get(pk=task.pk)
    assert task.status == AnswerTask.Status.FAILED and not leaks(str(task.result))


async def ask(user, question: str = SECRET_WORD, **fields) -> list[dict]:
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    communicator.scope["user"] = user
    await communicator.connect()
    await communicator.send_json_to({"type": "ask", "question": question, **fields})
    messages = [await communicator.receive_json_from(timeout=10)]
    while messages[-1]["type"] not in ("done", "error"):
        messages.append(await communicator.receive_json_from(timeout=10))
    await communicator.disconnect()
    return messages


async def test_the_websocket_calls_it_unknown(agent, secret, extractive):
    (error,) = await ask(agent, category=secret.slug)
    assert error["code"] == "refused" and "n'existe pas" in error["message"]


async def test_the_websocket_across_categories_answers_from_the_others_only(agent, extractive):
    messages = await ask(agent)
    assert messages[-1]["type"] == "done"
    assert not leaks(str(messages))


async def test_a_conversation_in_it_cannot_be_resumed_once_access_is_withdrawn(
    agent, secret, extractive
):
    conversation = await in_thread(Conversation.objects.create, user=agent, category=secret)
    (error,) = await ask(agent, conversation=conversation.pk)
    assert error["code"] == "refused"


def test_its_documents_cannot_be_downloaded(agent_client, secret):
    response = agent_client.get(reverse("documents:file", args=[secret.document.pk]))
    assert response.status_code == 404 and not leaks(response.content.decode())


def test_staff_pages_are_closed_to_users(agent_client):
    for url in (reverse("backoffice:evaluation"), reverse("backoffice:upload"), "/admin/"):
        response = agent_client.get(url, follow=True)
        assert response.status_code == 403 and 'name="password"' not in response.content.decode()


@pytest.fixture(params=["through a group", "by name"])
def grant(request):
    """Grants a category to a user as the test is parametrized; returns the withdrawal."""

    def give(user, category):
        if request.param == "by name":
            category.readers.add(user)
            return lambda: category.readers.remove(user)
        group = category.groups.create(name=f"Lecteurs de {category.name}")
        user.groups.add(group)
        return lambda: user.groups.remove(group)

    return give


@pytest.fixture
def reader(agent, secret, grant):
    """The agent, granted the secret category."""
    grant(agent, secret)
    return agent


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


def test_a_user_granted_it_sees_it_on_the_home_page(reader_client):
    assert "Direction" in reader_client.get("/", follow=True).content.decode()


def test_a_user_granted_it_finds_it_on_the_search_page_and_downloads_its_documents(
    reader_client, secret
):
    response = reader_client.get(reverse("chat:search"), {"q": SECRET_WORD})
    assert "confidentiel" in response.content.decode()
    assert (
        reader_client.get(reverse("documents:file", args=[secret.document.pk])).status_code == 200
    )


def test_a_user_granted_it_finds_it_through_the_search_api(reader, secret):
    token = Token.objects.create(user=reader)
    from django.test import Client

    response = Client().get(
        "/api/search",
        {"q": SECRET_WORD, "category": secret.slug},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200 and "confidentiel" in response.content.decode()


def test_a_user_granted_it_is_answered_from_it_by_the_answer_api(reader_client, secret, extractive):
    url = reverse("api_v1:answer", args=[secret.slug])
    response = reader_client.post(
        url, {"question": SECRET_QUESTION}, content_type="application/json"
    )
    assert response.status_code == 200 and "confidentiel" in response.content.decode()


def test_a_user_granted_it_can_queue_an_answer_in_it(reader_client, secret, extractive):
    response = reader_client.post(
        reverse("api_v1:answer-task-create"),
        {"question": SECRET_WORD, "category": secret.slug},
        content_type="application/json",
    )
    assert response.status_code == 202


async def test_a_user_granted_it_is_answered_from_it_over_the_websocket(reader, secret, extractive):
    messages = await ask(reader, SECRET_QUESTION, category=secret.slug)
    assert messages[-1]["type"] == "done" and "confidentiel" in str(messages)


def test_visitors_read_only_public_categories_and_only_when_the_site_allows(
    client, secret, granted, settings
):
    assert client.get(reverse("chat:search"), {"q": SECRET_WORD}).status_code == 302
    settings.PUBLIC_CATEGORIES = True
    granted.visibility = Category.Visibility.PUBLIC
    granted.save()
    response = client.get(reverse("chat:search"), {"q": "télétravail"})
    assert response.status_code == 200 and "deux jours" in response.content.decode()
    assert not leaks(client.get(reverse("chat:search"), {"q": SECRET_WORD}).content.decode())
    assert client.get(reverse("documents:file", args=[secret.document.pk])).status_code == 404
