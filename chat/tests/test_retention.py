"""Conversations and API tasks older than CONVERSATION_RETENTION_DAYS are deleted."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from chat.models import AnswerTask, Conversation, Exchange, Feedback
from chat.retention import purge_old_answer_tasks, purge_old_conversations
from chat.tests.factories import ConversationFactory, CorrectionProposalFactory, ExchangeFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture(autouse=True)
def a_year(settings):
    settings.CONVERSATION_RETENTION_DAYS = 365


def aged(exchange: Exchange, days: int) -> Exchange:
    """Make `exchange` and its conversation `days` old."""
    moment = NOW - timedelta(days=days)
    Exchange.objects.filter(pk=exchange.pk).update(created_at=moment)
    Conversation.objects.filter(pk=exchange.conversation_id).update(updated_at=moment)
    return exchange


def test_an_expired_conversation_goes_with_its_answers_and_ratings_but_not_proposals():
    old = aged(ExchangeFactory(), days=400)
    Feedback.objects.create(exchange=old, user=old.conversation.user, rating=-1)
    proposal = CorrectionProposalFactory(exchange=old)
    recent = aged(ExchangeFactory(), days=30)

    assert purge_old_conversations(now=NOW) == 1

    assert list(Conversation.objects.all()) == [recent.conversation]
    assert list(Exchange.objects.all()) == [recent]
    assert not Feedback.objects.exists()
    proposal.refresh_from_db()
    assert proposal.exchange is None and proposal.question


def test_a_conversation_with_a_recent_question_is_kept():
    exchange = aged(ExchangeFactory(), days=400)
    ExchangeFactory(conversation=exchange.conversation)
    Conversation.objects.filter(pk=exchange.conversation_id).update(
        updated_at=NOW - timedelta(days=400)
    )
    assert purge_old_conversations(now=NOW) == 0


def test_a_retention_of_zero_keeps_everything(settings):
    settings.CONVERSATION_RETENTION_DAYS = 0
    aged(ExchangeFactory(), days=4000)
    assert purge_old_conversations(now=NOW) == 0
    assert Conversation.objects.count() == 1


def test_many_expired_conversations_are_deleted_in_batches(monkeypatch):
    monkeypatch.setattr("chat.retention.BATCH_SIZE", 2)
    for _ in range(5):
        aged(ExchangeFactory(), days=400)
    assert purge_old_conversations(now=NOW) == 5
    assert not Conversation.objects.exists()


def answer_task(*, created_days: int, finished_days: int | None) -> AnswerTask:
    conversation = ConversationFactory()
    task = AnswerTask.objects.create(
        user=conversation.user, category=conversation.category, question="Combien ?"
    )
    finished_at = None if finished_days is None else NOW - timedelta(days=finished_days)
    status = AnswerTask.Status.PENDING if finished_at is None else AnswerTask.Status.DONE
    AnswerTask.objects.filter(pk=task.pk).update(
        created_at=NOW - timedelta(days=created_days), finished_at=finished_at, status=status
    )
    return task


def test_old_finished_and_abandoned_answer_tasks_are_deleted():
    answer_task(created_days=400, finished_days=400)
    answer_task(created_days=500, finished_days=None)
    kept = [
        answer_task(created_days=30, finished_days=30),
        answer_task(created_days=1, finished_days=None),
    ]
    assert purge_old_answer_tasks(now=NOW) == 2
    assert set(AnswerTask.objects.all()) == set(kept)


def test_the_command_purges_and_says_how_much(capsys):
    aged(ExchangeFactory(), days=400)
    answer_task(created_days=400, finished_days=400)
    call_command("purge_conversations")
    out = capsys.readouterr().out
    assert "Deleted 1 conversation(s) and 1 API task(s) older than 365 days." in out


def test_the_command_says_when_conversations_are_kept_forever(settings, capsys):
    settings.CONVERSATION_RETENTION_DAYS = 0
    call_command("purge_conversations")
    assert "kept forever" in capsys.readouterr().out
