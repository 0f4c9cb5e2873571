"""`manage.py ask`: a question answered on the command line as the chat answers it."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ai.llm.extractive import EXTRACTIVE_NOTICE
from ai.models import LanguageModel
from chat.models import Conversation
from testing.openai_server import default_chat_answer, error_reply

QUESTION = "Combien de jours de télétravail par semaine ?"


class FlushCountingOutput(io.StringIO):
    flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


def ask(*arguments: str) -> str:
    output = io.StringIO()
    call_command("ask", *arguments, stdout=output)
    return output.getvalue()


def test_the_answer_is_printed_then_its_sources_and_timings(category, user, llm_server):
    printed = ask(QUESTION, "--category", category.slug, "--user", user.username)

    answer, sources, summary = printed.strip().split("\n\n")
    assert answer == default_chat_answer(None)
    assert sources.splitlines()[0] == "Sources:"
    assert sources.splitlines()[1].startswith("  [1] teletravail — /documents/")
    assert summary.startswith("modèle local (test-model) · generated · first token ")
    assert summary.endswith(f" prompt + {len(answer.split())} completion tokens")


def test_the_answer_is_flushed_token_by_token(category, user, llm_server):
    output = FlushCountingOutput()

    call_command("ask", QUESTION, "--category", category.slug, "--user", "agent", stdout=output)

    assert output.flushes >= len(default_chat_answer(None).split())


def test_without_a_language_model_the_extractive_answer_says_so(category, user, extractive):
    printed = ask(QUESTION, "--category", category.name, "--user", user.username)

    assert printed.startswith(EXTRACTIVE_NOTICE)
    assert "Extraits (sans modèle de langage) · extractive · " in printed


def test_the_first_superuser_asks_by_default(category, user, extractive, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", password="admin-password-1")

    ask(QUESTION, "--category", category.slug)

    assert Conversation.objects.get().user == admin


def test_provider_extractive_replaces_the_site_model(category, user, llm_server):
    printed = ask(
        QUESTION, "--category", category.slug, "--user", "agent", "--provider", "extractive"
    )

    assert printed.startswith(EXTRACTIVE_NOTICE)
    assert not llm_server.requests_to("/v1/chat/completions")


def test_provider_names_a_language_model_of_the_admin(category, user, llm_server):
    LanguageModel.objects.create(
        name="Serveur local",
        kind=LanguageModel.Kind.COMPATIBLE,
        base_url=llm_server.base_url,
        api_key="test-key",
        model="other-model",
    )

    printed = ask(
        QUESTION, "--category", category.slug, "--user", "agent", "--provider", "Serveur local"
    )

    assert "Serveur local (other-model) · generated" in printed
    assert llm_server.requests_to("/v1/chat/completions")[0].body["model"] == "other-model"


def test_a_failing_model_is_a_command_error_with_the_user_message(category, user, llm_server):
    llm_server.failures = [error_reply(500, "boom")]

    with pytest.raises(CommandError, match="ne répond pas pour le moment"):
        ask(QUESTION, "--category", category.slug, "--user", "agent")


def test_an_empty_question_is_refused(category, user, extractive):
    with pytest.raises(CommandError, match="La question est vide"):
        ask("   ", "--category", category.slug, "--user", "agent")


def test_an_unknown_category_is_a_command_error(category, user):
    with pytest.raises(CommandError, match=r"Unknown category 'paie'.*Ressources humaines"):
        ask(QUESTION, "--category", "paie", "--user", "agent")


def test_an_unknown_provider_is_a_command_error(category, user):
    with pytest.raises(CommandError, match="Unknown provider 'gpt-9'; choose among 'default'"):
        ask(QUESTION, "--category", category.slug, "--user", "agent", "--provider", "gpt-9")


def test_without_a_superuser_a_user_must_be_named(category, user):
    with pytest.raises(CommandError, match="--user USERNAME"):
        ask(QUESTION, "--category", category.slug)
