"""What an answer costs, in money and energy, from a language model's tariff and the tokens
it read and wrote.

Unknown stays unknown: a model without a price (or a provider that did not count its tokens)
gives no cost, rather than a cost of 0 that would understate the bill.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from ai.llm.base import Usage
from ai.models import LanguageModel

COST_PLACES = Decimal("0.00000001")
ENERGY_PLACES = Decimal("0.000001")
MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1000)


@dataclass(frozen=True)
class Tariff:
    """Prices per million tokens read and written (COST_CURRENCY), Wh per thousand tokens."""

    input_per_million: Decimal | None = None
    output_per_million: Decimal | None = None
    energy_wh_per_thousand: Decimal | None = None
    free: bool = False
    """An answer no language model wrote (extracts, a validated correction): 0, counted or not."""

    def cost(self, usage: Usage | None) -> Decimal | None:
        if self.free:
            return Decimal(0).quantize(COST_PLACES)
        tokens = _tokens(usage)
        if tokens is None or self.input_per_million is None or self.output_per_million is None:
            return None
        read, written = tokens
        cost = (read * self.input_per_million + written * self.output_per_million) / MILLION
        return cost.quantize(COST_PLACES)

    def energy_wh(self, usage: Usage | None) -> Decimal | None:
        if self.free:
            return Decimal(0).quantize(ENERGY_PLACES)
        tokens = _tokens(usage)
        if tokens is None or self.energy_wh_per_thousand is None:
            return None
        return (sum(tokens) * self.energy_wh_per_thousand / THOUSAND).quantize(ENERGY_PLACES)

    def priced(self, usage: Usage | None) -> Usage:
        """`usage` (or no token count at all) with its cost and energy."""
        usage = usage or Usage()
        return Usage(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost=self.cost(usage),
            energy_wh=self.energy_wh(usage),
        )


FREE = Tariff(free=True)


def tariff_for(language_model: LanguageModel | None) -> Tariff:
    """The tariff of a category's model; the site model's (LLM_PRICE_*) when it has none."""
    if language_model is None:
        if settings.LLM_PROVIDER == LanguageModel.Kind.EXTRACTIVE:
            return FREE
        return Tariff(
            input_per_million=settings.LLM_PRICE_INPUT,
            output_per_million=settings.LLM_PRICE_OUTPUT,
            energy_wh_per_thousand=settings.LLM_ENERGY_WH,
        )
    if language_model.kind == LanguageModel.Kind.EXTRACTIVE:
        return FREE
    return Tariff(
        input_per_million=language_model.price_per_million_input_tokens,
        output_per_million=language_model.price_per_million_output_tokens,
        energy_wh_per_thousand=language_model.energy_wh_per_thousand_tokens,
    )


def _tokens(usage: Usage | None) -> tuple[int, int] | None:
    if usage is None or usage.prompt_tokens is None or usage.completion_tokens is None:
        return None
    return usage.prompt_tokens, usage.completion_tokens
