"""Data migrations of the chat, run on a real database between the states they join."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from common.sealing import unseal

QUESTION = "Je suis Marie Dupont (06 12 34 56 78) : combien de jours de télétravail ?"


@pytest.fixture
def executor(transactional_db):
    """Moves the database between migrations; puts it back at the latest ones afterwards."""
    executor = MigrationExecutor(connection)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(executor: MigrationExecutor, target: tuple[str, str]):
    """Migrate to `target`; return that state's apps."""
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_questions_stored_in_clear_are_anonymised_and_sealed_for_their_author(executor, settings):
    settings.ANONYMIZE_QUESTIONS = True
    old = migrate(executor, ("chat", "0002_exchange_sealed_question"))
    user = old.get_model("auth", "User").objects.create(username="agent")
    conversation = old.get_model("chat", "Conversation").objects.create(user=user)
    Exchange = old.get_model("chat", "Exchange")
    Exchange.objects.create(conversation=conversation, question=QUESTION)
    Exchange.objects.create(conversation=conversation, question="Et le mercredi ?")

    new = migrate(executor, ("chat", "0003_anonymise_stored_questions"))

    exchanges = new.get_model("chat", "Exchange").objects.order_by("pk")
    named, plain = exchanges
    assert named.question == "Je suis [NOM] ([TÉLÉPHONE]) : combien de jours de télétravail ?"
    assert unseal(named.sealed_question) == QUESTION
    assert (plain.question, plain.sealed_question) == ("Et le mercredi ?", "")
