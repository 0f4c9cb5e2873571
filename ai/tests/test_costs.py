"""The cost and energy of an answer, from its model's tariff and the tokens it counted."""

from decimal import Decimal

import pytest

from ai.costs import FREE, Tariff, tariff_for
from ai.llm import Usage
from ai.models import LanguageModel

PRICED = Tariff(Decimal("0.15"), Decimal("0.60"), Decimal("0.5"))


def test_the_cost_prices_the_tokens_read_and_written_per_million():
    usage = Usage(prompt_tokens=2000, completion_tokens=500)
    assert PRICED.cost(usage) == Decimal("0.00060000")  # 0.0003 read + 0.0003 written


def test_the_energy_counts_every_token_per_thousand():
    assert PRICED.energy_wh(Usage(prompt_tokens=2000, completion_tokens=500)) == Decimal("1.25")


def test_a_model_without_a_price_or_energy_factor_gives_unknown_not_zero():
    usage = Usage(prompt_tokens=2000, completion_tokens=500)
    assert Tariff().cost(usage) is None
    assert Tariff().energy_wh(usage) is None
    assert Tariff(input_per_million=Decimal(1)).cost(usage) is None


def test_tokens_the_provider_did_not_count_give_an_unknown_cost():
    assert PRICED.cost(Usage(prompt_tokens=None, completion_tokens=10)) is None
    assert PRICED.priced(None).cost is None


def test_an_answer_no_model_wrote_costs_nothing_whatever_it_counted():
    assert FREE.priced(None) == Usage(cost=Decimal(0), energy_wh=Decimal(0))


def test_the_site_model_is_priced_by_the_llm_price_settings(settings):
    settings.LLM_PROVIDER = "openai"
    settings.LLM_PRICE_INPUT = Decimal("0.15")
    settings.LLM_PRICE_OUTPUT = Decimal("0.60")
    settings.LLM_ENERGY_WH = None
    assert tariff_for(None) == Tariff(Decimal("0.15"), Decimal("0.60"), None)


def test_the_extractive_site_model_is_free(settings):
    settings.LLM_PROVIDER = "extractive"
    assert tariff_for(None) is FREE


@pytest.mark.django_db
def test_a_categorys_model_carries_its_own_tariff():
    model = LanguageModel.objects.create(
        name="Albert",
        kind=LanguageModel.Kind.OPENAI,
        price_per_million_input_tokens=Decimal("0.2"),
        price_per_million_output_tokens=Decimal("0.8"),
    )
    model.refresh_from_db()
    tariff = tariff_for(model)
    assert tariff.cost(Usage(prompt_tokens=1_000_000, completion_tokens=1_000_000)) == Decimal(1)
    assert tariff.energy_wh(Usage(prompt_tokens=1, completion_tokens=1)) is None
