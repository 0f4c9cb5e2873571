"""A conversation at its own address (/chat/c/<id>/): the search page, which reopens it, for
its owner only."""

import pytest
from django.urls import reverse

from chat.tests.factories import ConversationFactory
from chat.tests.test_search_page import json_block
from documents.models import Category
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(django_user_model):
    return django_user_model.objects.create_user("agent", password="secret-agent-1")


def test_the_owner_gets_the_search_page_set_to_reopen_the_conversation(client, agent):
    category = CategoryFactory(name="Ressources humaines")
    conversation = ConversationFactory(user=agent, category=category)
    client.force_login(agent)

    response = client.get(reverse("chat:conversation", args=[conversation.pk]))

    assert response.status_code == 200
    config = json_block(response.content.decode(), "search-config")
    assert config["conversation"] == conversation.pk
    assert config["category"] == category.slug
    assert config["urls"]["conversationPage"] == "/chat/c/0/"
    assert config["urls"]["conversationExport"] == "/api/v1/conversations/0/export/"
    assert config["urls"]["newConversation"] == reverse(
        "chat:search-category", args=[category.slug]
    )
    assert 'data-testid="conversation-export"' in response.content.decode()


def test_another_users_conversation_is_not_found(client, agent):
    someone_elses = ConversationFactory()
    client.force_login(agent)
    for conversation_id in (someone_elses.pk, someone_elses.pk + 1000):
        response = client.get(reverse("chat:conversation", args=[conversation_id]))
        assert response.status_code == 404


def test_a_visitor_is_asked_to_sign_in_first(client):
    conversation = ConversationFactory()
    url = reverse("chat:conversation", args=[conversation.pk])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_conversation_in_a_category_no_longer_readable_opens_on_all_categories(client, agent):
    closed = CategoryFactory(visibility=Category.Visibility.GROUPS)
    conversation = ConversationFactory(user=agent, category=closed)
    client.force_login(agent)
    config = json_block(
        client.get(reverse("chat:conversation", args=[conversation.pk])).content.decode(),
        "search-config",
    )
    assert config["category"] == "" and config["urls"]["newConversation"] == reverse("chat:search")


def test_the_search_page_starts_no_conversation(client, agent):
    CategoryFactory()  # the agent reads a category: the page has its question box
    client.force_login(agent)
    config = json_block(client.get(reverse("chat:search")).content.decode(), "search-config")
    assert config["conversation"] is None
