"""What Cassandre holds about a person: exported as JSON, or deleted (GDPR requests)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from chat.models import AnswerTask, Conversation, CorrectionProposal, Exchange, Feedback
from chat.tests.factories import CorrectionProposalFactory, ExchangeFactory, UserFactory
from chat.user_data import delete_user_data, export_user_data
from common.sealing import seal
from documents.models import Correction

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    """A user with a conversation, a rating, a proposal, an API task and a token."""
    exchange = ExchangeFactory(conversation__user=UserFactory(username="agent"))
    user = exchange.conversation.user
    Feedback.objects.create(exchange=exchange, user=user, rating=-1, comment="Incomplet.")
    CorrectionProposalFactory(exchange=exchange)
    AnswerTask.objects.create(  # stored sealed, as the answer API records it
        user=user, category=exchange.conversation.category, question=seal("Et à temps partiel ?")
    )
    Token.objects.create(user=user)
    return user


@pytest.fixture
def someone_else():
    return ExchangeFactory().conversation.user


def test_the_export_holds_every_question_answer_rating_proposal_and_task(agent):
    data = json.loads(json.dumps(export_user_data(agent), default=str))
    assert data["user"]["username"] == "agent"
    (conversation,) = data["conversations"]
    (exchange,) = conversation["exchanges"]
    assert exchange["question"] == "Combien de jours de télétravail ?"
    assert exchange["answer"] == "Trois jours par semaine [1]."
    assert data["feedback"][0]["comment"] == "Incomplet."
    assert data["correction_proposals"][0]["category_slug"] == conversation["category_slug"]
    assert data["answer_tasks"][0]["question"] == "Et à temps partiel ?"
    assert data["api_token_created"]


def test_the_export_never_holds_the_api_token_key(agent):
    key = Token.objects.get(user=agent).key
    assert key not in json.dumps(export_user_data(agent), default=str)


def test_the_export_command_writes_json(agent, someone_else, tmp_path):
    path = tmp_path / "agent.json"
    call_command("user_data", "agent", "--export", str(path))
    data = json.loads(path.read_text())
    assert len(data["conversations"]) == 1
    assert someone_else.username not in path.read_text()


def test_deleting_removes_the_data_and_keeps_the_account_and_others_data(agent, someone_else):
    report = delete_user_data(agent)
    assert (report.conversations, report.exchanges, report.feedback) == (1, 1, 1)
    assert (report.proposals, report.answer_tasks) == (1, 1)
    assert not Conversation.objects.filter(user=agent).exists()
    assert not CorrectionProposal.objects.filter(author=agent).exists()
    assert not AnswerTask.objects.filter(user=agent).exists()
    assert get_user_model().objects.filter(pk=agent.pk).exists()
    assert Token.objects.filter(user=agent).exists()
    assert Exchange.objects.filter(conversation__user=someone_else).count() == 1


def test_corrections_approved_from_the_users_proposals_stay(agent):
    proposal = CorrectionProposal.objects.get(author=agent)
    correction = Correction.objects.create(
        category=proposal.category, question=proposal.question, answer=proposal.answer
    )
    CorrectionProposal.objects.filter(pk=proposal.pk).update(correction=correction)
    delete_user_data(agent)
    assert Correction.objects.filter(pk=correction.pk).exists()


def test_the_delete_command_with_yes_deletes_the_account_too(agent, capsys):
    call_command("user_data", "agent", "--delete", "--delete-account", "--yes")
    assert not get_user_model().objects.filter(username="agent").exists()
    assert not Token.objects.exists()
    assert "and the account." in capsys.readouterr().out


def test_the_delete_command_asks_first_and_a_no_deletes_nothing(agent, monkeypatch):
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or "n")
    with pytest.raises(CommandError, match="Nothing deleted"):
        call_command("user_data", "agent", "--delete")
    assert prompts == ["Delete the data of agent? [y/N] "]
    assert Conversation.objects.filter(user=agent).exists()


def test_the_delete_command_goes_on_after_a_yes(agent, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "oui")
    call_command("user_data", "agent", "--delete")
    assert not Conversation.objects.filter(user=agent).exists()


def test_an_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="Unknown user 'personne'"):
        call_command("user_data", "personne", "--export", "-")


def test_delete_account_needs_delete(agent):
    with pytest.raises(CommandError, match="--delete-account goes with --delete"):
        call_command("user_data", "agent", "--export", "-", "--delete-account")
