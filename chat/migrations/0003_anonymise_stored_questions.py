"""Questions stored before anonymisation reached the conversation: anonymised, the original
sealed for its author. Runs the anonymiser (spaCy) only when there are questions to read."""

from django.db import migrations

BATCH = 500


def anonymise_questions(apps, schema_editor):
    from ai.anonymizer import anonymize_if_enabled
    from common.sealing import seal

    Exchange = apps.get_model("chat", "Exchange")
    exchanges = Exchange.objects.filter(sealed_question="").only("question")
    for exchange in exchanges.iterator(chunk_size=BATCH):
        anonymised = anonymize_if_enabled(exchange.question)
        if anonymised != exchange.question:
            exchange.sealed_question = seal(exchange.question)
            exchange.question = anonymised
            exchange.save(update_fields=["question", "sealed_question"])


def restore_questions(apps, schema_editor):
    from common.sealing import unseal

    Exchange = apps.get_model("chat", "Exchange")
    for exchange in Exchange.objects.exclude(sealed_question="").iterator(chunk_size=BATCH):
        original = unseal(exchange.sealed_question)
        if original is not None:
            exchange.question = original
            exchange.sealed_question = ""
            exchange.save(update_fields=["question", "sealed_question"])


class Migration(migrations.Migration):
    dependencies = [("chat", "0002_exchange_sealed_question")]

    operations = [migrations.RunPython(anonymise_questions, restore_questions)]
