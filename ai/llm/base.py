"""What every answer provider offers, and the errors it raises.

A provider streams an answer to a prompt (`stream`) and completes a short prompt in one go
(`complete`, used to rewrite follow-up questions). Errors are `UserError`s whose message
never quotes the provider's own words (an API error may echo the key).
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from common.errors import UserError


@dataclass(frozen=True)
class Usage:
    """Tokens as the provider counted them; the cost and energy are filled in by the
    answering from the model's tariff (`ai.costs`), None when unknown."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: Decimal | None = None
    energy_wh: Decimal | None = None


@dataclass(frozen=True)
class Delta:
    """A piece of the answer as it arrives; the last one may carry the token usage."""

    text: str = ""
    usage: Usage | None = None


@dataclass(frozen=True)
class NumberedPassage:
    """A passage as the model sees it: cited as [number]."""

    number: int
    title: str
    page: int | None
    text: str
    hint: str = ""
    """What the document's hints say of this page (`page 3 : barème 2024`)."""


@dataclass(frozen=True)
class Prompt:
    messages: list[dict[str, str]]
    question: str
    passages: Sequence[NumberedPassage] = field(default_factory=tuple)


class Provider(Protocol):
    kind: str
    model: str
    # False for a provider that assembles answers without a language model.
    generative: bool
    context_window: int
    max_answer_tokens: int

    @property
    def label(self) -> str: ...

    def stream(self, prompt: Prompt) -> AsyncIterator[Delta]: ...

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> str: ...


@dataclass(frozen=True, kw_only=True)
class RemoteProvider:
    """What a provider calling an API is configured with; each adds how it speaks to it."""

    kind: str
    name: str
    model: str
    base_url: str | None
    api_key: str
    context_window: int
    max_answer_tokens: int
    temperature: float
    timeout: float
    connect_timeout: float
    max_retries: int
    generative: bool = True

    @property
    def label(self) -> str:
        return f"{self.name} ({self.model})"


class ProviderError(UserError):
    """A provider could not answer; `message` says why, for the person who asked."""

    code = "provider"
    status = 502


class ProviderUnavailable(ProviderError):
    """Connection refused, timeout, server error: worth trying again later."""


class ProviderAuthenticationFailed(ProviderError):
    """The provider refused the configured key: an administrator must fix it."""


class ProviderRejected(ProviderError):
    """The provider refused the request itself (unknown model, prompt too long, quota)."""
