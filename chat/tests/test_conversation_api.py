"""The conversations API shows a user their own conversations, and nobody else's."""

import pytest
from django.urls import reverse

from chat.models import Exchange, Feedback
from chat.tests.factories import ConversationFactory, ExchangeFactory, UserFactory
from documents.tests.factories import CorrectionFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("api_v1:conversations")


def detail_url(conversation) -> str:
    return reverse("api_v1:conversation", args=[conversation.pk])


@pytest.fixture
def user():
    return UserFactory()


def test_anonymous_users_see_no_conversation(client):
    assert client.get(LIST_URL).status_code in (401, 403)


def test_a_user_lists_only_their_conversations_most_recent_first(client, user):
    older = ConversationFactory(user=user, title="Cantine")
    newer = ConversationFactory(user=user, title="Télétravail")
    ExchangeFactory.create_batch(2, conversation=newer)
    ConversationFactory(title="Celle d'un collègue")
    client.force_login(user)

    results = client.get(LIST_URL).json()["results"]

    assert [item["id"] for item in results] == [newer.pk, older.pk]
    assert results[0]["exchange_count"] == 2
    assert results[0]["category"] == {"slug": newer.category.slug, "name": newer.category.name}


def test_the_list_comes_fifty_at_a_time_with_a_link_to_the_older_ones(client, user):
    oldest = ConversationFactory(user=user)
    ConversationFactory.create_batch(50, user=user)
    client.force_login(user)

    first_page = client.get(LIST_URL).json()
    second_page = client.get(first_page["next"]).json()

    assert len(first_page["results"]) == 50
    assert [item["id"] for item in second_page["results"]] == [oldest.pk]
    assert second_page["next"] is None


def test_a_conversation_shows_its_answers_in_order_with_the_users_rating(client, user):
    conversation = ConversationFactory(user=user)
    first = ExchangeFactory(conversation=conversation, sources=[{"number": 1, "title": "Note"}])
    second = ExchangeFactory(
        conversation=conversation,
        question="Et à temps partiel ?",
        answer="Un jour par semaine.",
        outcome=Exchange.Outcome.CORRECTION,
        correction=CorrectionFactory(category=conversation.category),
    )
    Feedback.objects.create(
        exchange=first, user=user, rating=Feedback.Rating.DOWN, comment="Incomplet"
    )
    client.force_login(user)

    body = client.get(detail_url(conversation)).json()

    shown_first, shown_second = body["exchanges"]
    assert shown_first["id"] == first.pk
    assert shown_first["sources"] == [{"number": 1, "title": "Note"}]
    assert shown_first["feedback"]["rating"] == "down"
    assert shown_first["feedback"]["comment"] == "Incomplet"
    assert shown_first["validated"] is False
    assert shown_second["id"] == second.pk
    assert shown_second["validated"] is True
    assert shown_second["outcome"] == "correction"
    assert shown_second["feedback"] is None


def test_another_users_conversation_is_not_found(client, user):
    someone_elses = ConversationFactory()
    client.force_login(user)
    response = client.get(detail_url(someone_elses))
    assert response.status_code == 404
    assert "ne vous appartient pas" in response.json()["detail"]
