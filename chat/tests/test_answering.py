"""The answering pipeline, below every interface: events, records, rules."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from chat.answering import Done, Sources, Token, answer_question, in_thread, no_answer_message
from chat.models import Exchange
from documents.indexing import index_document
from documents.models import Category, Correction


async def collect(**kwargs) -> list:
    return [event async for event in answer_question(**kwargs)]


async def test_a_question_gets_sources_then_tokens_then_done(category, user, llm_server):
    events = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )
    sources, *tokens, done = events
    assert isinstance(sources, Sources) and isinstance(done, Done)
    assert len(tokens) > 3 and all(isinstance(token, Token) for token in tokens)
    assert sources.sources[0]["title"] == "teletravail"
    assert done.citations == [1]
    assert done.answer == "".join(token.text for token in tokens)
    exchange = await in_thread(Exchange.objects.get, pk=done.exchange_id)
    assert exchange.status == Exchange.Status.DONE
    assert exchange.completion_tokens == len(tokens)


async def test_the_prompt_sent_to_the_model_holds_the_hints_of_each_passage(
    category, user, llm_server
):
    def hint_the_telework_note() -> None:
        document = category.documents.get(title="teletravail")
        document.hints = "toutes pages : accord télétravail 2024 ; page 9 : annexe"
        document.save()
        index_document(document.pk)

    await in_thread(hint_the_telework_note)
    await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )
    messages = llm_server.requests_to("/v1/chat/completions")[-1].body["messages"]
    prompt = "\n".join(message["content"] for message in messages)
    assert "[1] teletravail (accord télétravail 2024)\n" in prompt
    assert "annexe" not in prompt


# --- Validity of the documents ----------------------------------------------------------


def end_telework_note(category, *, in_days: int) -> date:
    """The telework note's last day in force: `in_days` from today (negative: past)."""
    end = timezone.localdate() + timedelta(days=in_days)
    category.documents.filter(title="teletravail").update(valid_until=end)
    return end


MONTHS = [
    *("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"),
    *("septembre", "octobre", "novembre", "décembre"),
]


def expiry_notice(end: date) -> str:
    day = f"{end.day} {MONTHS[end.month - 1]} {end.year}"
    return f"Attention : « teletravail » n'est plus en vigueur après le {day}."


async def test_an_answer_leaves_out_a_document_no_longer_in_force(category, user, llm_server):
    await in_thread(end_telework_note, category=category, in_days=-1)

    sources, *_, done = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )

    assert "teletravail" not in [source["title"] for source in sources.sources]
    assert done.outcome == Exchange.Outcome.NO_ANSWER


async def test_an_answer_citing_a_document_ending_within_30_days_says_so(
    category, user, llm_server
):
    end = await in_thread(end_telework_note, category=category, in_days=30)

    sources, *_, done = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )

    assert sources.sources[0]["title"] == "teletravail" and done.citations == [1]
    assert done.notices == [expiry_notice(end)]


async def test_an_extractive_answer_citing_a_document_ending_soon_says_so_too(
    category, user, extractive
):
    end = await in_thread(end_telework_note, category=category, in_days=1)

    *_, done = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )

    assert done.outcome == Exchange.Outcome.EXTRACTIVE and done.citations
    assert done.notices == [expiry_notice(end)]


async def test_a_cited_document_in_force_for_longer_than_30_days_needs_no_notice(
    category, user, llm_server
):
    await in_thread(end_telework_note, category=category, in_days=31)

    *_, done = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )

    assert done.citations == [1] and done.notices == []


@pytest.mark.parametrize("contact", ["le service RH", "les RH", "Mme Durand (poste 12)"])
def test_the_answer_without_passage_names_any_contact_in_good_french(contact):
    # Only the category is read: a stand-in for the loaded context will do.
    context = SimpleNamespace(category=Category(name="Ressources humaines", contact=contact))

    message = no_answer_message(context)

    assert message.endswith(f"Pour une réponse sûre, contactez : {contact}.")
    assert " à le " not in message and " à les " not in message


# --- Cost and energy ----------------------------------------------------------------------


@pytest.fixture
def priced_site_model(settings, llm_server):
    settings.LLM_PRICE_INPUT = Decimal("2.5")
    settings.LLM_PRICE_OUTPUT = Decimal("10")
    settings.LLM_ENERGY_WH = Decimal("0.3")
    return llm_server


async def test_a_generated_answer_records_its_cost_and_energy_from_the_models_tariff(
    category, user, priced_site_model
):
    *_, done = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )
    exchange = await in_thread(Exchange.objects.get, pk=done.exchange_id)
    read, written = exchange.prompt_tokens, exchange.completion_tokens
    assert read > 0 and written > 0
    expected_cost = (read * Decimal("2.5") + written * Decimal("10")) / 1_000_000
    expected_energy = (read + written) * Decimal("0.3") / 1000
    assert exchange.cost == expected_cost.quantize(Decimal("0.00000001"))
    assert exchange.energy_wh == expected_energy.quantize(Decimal("0.000001"))
    assert (done.usage.cost, done.usage.energy_wh) == (exchange.cost, exchange.energy_wh)


async def test_an_answer_from_a_model_without_a_price_has_an_unknown_cost(
    category, user, llm_server
):
    *_, done = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )
    exchange = await in_thread(Exchange.objects.get, pk=done.exchange_id)
    assert exchange.completion_tokens > 0
    assert exchange.cost is None and exchange.energy_wh is None


async def test_a_curated_correction_costs_nothing_even_with_a_priced_model(
    category, user, priced_site_model
):
    question = "Combien de jours de télétravail ?"
    await in_thread(
        Correction.objects.create, category=category, question=question, answer="Deux jours."
    )
    *_, done = await collect(user_id=user.pk, question=question, category_slug=category.slug)
    exchange = await in_thread(Exchange.objects.get, pk=done.exchange_id)
    assert exchange.outcome == Exchange.Outcome.CORRECTION
    assert (exchange.cost, exchange.energy_wh) == (0, 0)
    assert priced_site_model.requests_to("/v1/chat/completions") == []


async def test_an_extractive_answer_costs_nothing(category, user, extractive):
    *_, done = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )
    exchange = await in_thread(Exchange.objects.get, pk=done.exchange_id)
    assert exchange.outcome == Exchange.Outcome.EXTRACTIVE
    assert (exchange.cost, exchange.energy_wh) == (0, 0)
    assert (done.usage.cost, done.usage.energy_wh) == (0, 0)
