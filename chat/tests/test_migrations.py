"""Data migrations of the chat, run on a real database between the states they join."""

from common.sealing import unseal
from testing.migrations import migrate

QUESTION = "Je suis Marie Dupont (06 12 34 56 78) : combien de jours de télétravail ?"


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
