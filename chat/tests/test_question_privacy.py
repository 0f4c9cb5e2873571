"""A question's personal data is read by its author only: everyone else reads it anonymised.

The conversation keeps the anonymised question; the question as asked is kept sealed
(encrypted), and opened only for its author: their conversations and their data export.
"""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from chat.complete_answers import answer_now, create_answer_task, run_answer_task, task_as_dict
from chat.models import AnswerTask, Exchange
from chat.user_data import export_user_data

QUESTION = (
    "Bonjour, je suis Marie Dupont (06 12 34 56 78), combien de jours de télétravail par semaine ?"
)
ANONYMISED = "Bonjour, je suis [NOM] ([TÉLÉPHONE]), combien de jours de télétravail par semaine ?"
PERSONAL = ("Dupont", "06 12 34 56 78")


@pytest.fixture
def asked(category, user, extractive, settings) -> Exchange:
    settings.ANONYMIZE_QUESTIONS = True
    answer = answer_now(user_id=user.pk, question=QUESTION, category_slug=category.slug)
    return Exchange.objects.get(pk=answer["exchange"])


@pytest.fixture
def editor_client(client, django_user_model):
    """Staff who read conversations, as the editors' group does."""
    editor = django_user_model.objects.create_user("éditrice", is_staff=True)
    editor.user_permissions.set(
        Permission.objects.filter(codename__in=["view_conversation", "view_exchange"])
    )
    client.force_login(editor)
    return client


def assert_anonymised(text: str) -> None:
    for personal in PERSONAL:
        assert personal not in text


def test_the_conversation_keeps_the_anonymised_question(asked):
    assert asked.question == ANONYMISED
    assert_anonymised(asked.conversation.title)
    assert_anonymised(asked.sealed_question)


def test_editors_read_the_anonymised_question_in_the_admin(asked, editor_client):
    pages = [
        reverse("admin:chat_exchange_changelist"),
        reverse("admin:chat_exchange_change", args=[asked.pk]),
        reverse("admin:chat_conversation_changelist"),
        reverse("admin:chat_conversation_change", args=[asked.conversation_id]),
    ]
    for url in pages:
        page = editor_client.get(url)
        assert page.status_code == 200
        assert_anonymised(page.content.decode())
        assert "[TÉLÉPHONE]" in page.content.decode() or url.endswith("conversation/")


def test_the_admin_search_cannot_find_a_question_by_the_name_it_held(asked, editor_client):
    found = editor_client.get(reverse("admin:chat_exchange_changelist"), {"q": "Dupont"})
    assert found.context["cl"].result_count == 0


def test_the_dashboard_lists_an_unanswered_question_anonymised(asked, editor_client):
    Exchange.objects.filter(pk=asked.pk).update(outcome=Exchange.Outcome.NO_ANSWER)
    page = editor_client.get(reverse("backoffice:dashboard")).content.decode()
    assert "[TÉLÉPHONE]" in page
    assert_anonymised(page)


def test_its_author_reads_the_question_as_asked_in_their_conversation(asked, client, user):
    client.force_login(user)
    url = reverse("api_v1:conversation", args=[asked.conversation_id])
    (exchange,) = client.get(url).json()["exchanges"]
    assert exchange["question"] == QUESTION


def test_its_author_reads_the_conversation_titled_in_their_own_words(asked, client, user):
    client.force_login(user)
    (listed,) = client.get(reverse("api_v1:conversations")).json()["results"]
    opened = client.get(reverse("api_v1:conversation", args=[asked.conversation_id])).json()
    for title in (listed["title"], opened["title"]):
        assert title.startswith("Bonjour, je suis Marie Dupont (06 12 34 56 78)")


def test_the_authors_data_export_holds_the_question_as_asked(asked, user):
    data = json.loads(json.dumps(export_user_data(user), default=str))
    (exchange,) = data["conversations"][0]["exchanges"]
    assert exchange["question"] == QUESTION
    assert exchange["question_anonymised"] == ANONYMISED
    assert data["conversations"][0]["title"].startswith("Bonjour, je suis Marie Dupont")


def test_a_question_without_personal_data_seals_nothing(category, user, extractive):
    answer = answer_now(user_id=user.pk, question="Et le mercredi ?", category_slug=category.slug)
    exchange = Exchange.objects.get(pk=answer["exchange"])
    assert (exchange.question, exchange.sealed_question) == ("Et le mercredi ?", "")


def test_without_anonymisation_the_question_is_kept_as_asked(category, user, extractive, settings):
    settings.ANONYMIZE_QUESTIONS = False
    answer = answer_now(user_id=user.pk, question=QUESTION, category_slug=category.slug)
    exchange = Exchange.objects.get(pk=answer["exchange"])
    assert (exchange.question, exchange.sealed_question) == (QUESTION, "")


def test_a_question_of_the_asynchronous_api_is_stored_sealed_and_read_by_its_author(
    category, user, extractive, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        task = create_answer_task(user_id=user.pk, category=category, question=QUESTION)

    stored = AnswerTask.objects.values_list("question", flat=True).get(pk=task.pk)
    assert "Dupont" not in stored and "06 12 34 56 78" not in stored
    run_answer_task(task_id=task.pk)
    task.refresh_from_db()
    assert task.status == AnswerTask.Status.DONE
    assert task_as_dict(task)["question"] == QUESTION
