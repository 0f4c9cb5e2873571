"""Conversations in the admin, read with what users said of their answers."""

import pytest
from django.urls import reverse

from chat.models import Exchange, Feedback
from chat.tests.factories import ConversationFactory, ExchangeFactory
from documents.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

CONVERSATIONS = reverse("admin:chat_conversation_changelist")
FEEDBACK = reverse("admin:chat_feedback_changelist")


def rate(exchange: Exchange, rating: int, comment: str = "") -> Feedback:
    return Feedback.objects.create(
        exchange=exchange, user=exchange.conversation.user, rating=rating, comment=comment
    )


def test_the_list_shows_each_conversation_with_its_questions_and_last_feedback(admin_client):
    conversation = ConversationFactory(title="Télétravail des agents")
    first = ExchangeFactory(conversation=conversation)
    ExchangeFactory(conversation=conversation)
    rate(first, Feedback.Rating.DOWN, "Il manque le temps partiel")

    page = admin_client.get(CONVERSATIONS).content.decode()

    assert "Télétravail des agents" in page
    assert '<td class="field-exchange_count">2</td>' in page
    assert "pas utile : Il manque le temps partiel" in page


def test_conversations_with_negative_feedback_can_be_picked_out(admin_client):
    rate(ExchangeFactory(conversation__title="Mal répondue"), Feedback.Rating.DOWN)
    rate(ExchangeFactory(conversation__title="Bien répondue"), Feedback.Rating.UP)

    page = admin_client.get(CONVERSATIONS, {"negative_feedback": "yes"}).content.decode()

    assert "Mal répondue" in page and "Bien répondue" not in page


def test_conversations_with_an_unanswered_question_can_be_picked_out(admin_client):
    ExchangeFactory(conversation__title="Sans passage", outcome=Exchange.Outcome.NO_ANSWER)
    ExchangeFactory(conversation__title="Répondue")

    page = admin_client.get(CONVERSATIONS, {"no_answer": "yes"}).content.decode()
    others = admin_client.get(CONVERSATIONS, {"no_answer": "no"}).content.decode()

    assert "Sans passage" in page and "Répondue" not in page
    assert "Répondue" in others and "Sans passage" not in others


def test_a_conversation_shows_its_exchanges_with_feedback_and_sources(admin_client):
    document = DocumentFactory(title="Note télétravail")
    exchange = ExchangeFactory(
        question="Combien de jours ?",
        answer="Deux jours [1].",
        sources=[
            {
                "number": 1,
                "id": "p-1",
                "document_id": document.pk,
                "title": document.title,
                "page": 3,
            }
        ],
    )
    rate(exchange, Feedback.Rating.UP, "Clair et sourcé")

    page = admin_client.get(
        reverse("admin:chat_conversation_change", args=[exchange.conversation_id])
    ).content.decode()

    assert "Combien de jours ?" in page and "Deux jours [1]." in page
    assert "<strong>utile</strong>" in page and "Clair et sourcé" in page
    assert f'href="/documents/{document.pk}/?page=3&amp;passage=p-1"' in page
    assert "Note télétravail</a>, p. 3" in page
    assert 'name="exchanges-0-question"' not in page


def test_feedback_is_listed_by_rating_with_a_link_to_its_question(admin_client):
    disliked = ExchangeFactory(question="Question mal répondue")
    rate(disliked, Feedback.Rating.DOWN)
    rate(ExchangeFactory(question="Question bien répondue"), Feedback.Rating.UP)

    page = admin_client.get(FEEDBACK, {"rating__exact": "-1"}).content.decode()

    assert reverse("admin:chat_exchange_change", args=[disliked.pk]) in page
    assert "Question bien répondue" not in page


def test_the_admin_home_links_to_the_backoffice_pages(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()

    for name in ["dashboard", "upload", "inspector", "evaluation"]:
        assert f'href="{reverse(f"backoffice:{name}")}"' in page
    assert 'id="content-main"' in page
