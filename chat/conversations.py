"""Conversations on the database side: what a question is asked with, and what is kept of it.

Plain synchronous functions: the answering pipeline runs them in a worker thread.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ai.anonymizer import anonymize_if_enabled
from ai.costs import Tariff, tariff_for
from ai.llm import Provider, Usage, provider_for
from ai.models import LanguageModel
from ai.prompts import DEFAULT_SYSTEM_PROMPT, validate_system_prompt
from chat.models import TITLE_LENGTH, Conversation, Exchange
from common.errors import UserError
from common.sealing import seal, unseal
from documents.models import Category
from documents.selectors import readable_categories, readable_category_ids

# A NUL byte or a lone surrogate: no text a person typed, and nothing the database or the
# language model can take (PostgreSQL refuses NUL, UTF-8 has no lone surrogate).
_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


class QuestionRefused(UserError):
    """The question cannot be asked as it is; `message` says why."""

    code = "refused"
    status = 400


class CategoryNotFound(QuestionRefused):
    """The category does not exist, or the person may not read it: the same to them."""

    status = 404

    def __init__(self, slug: str) -> None:
        super().__init__(_("La catégorie « %(slug)s » n'existe pas."), {"slug": slug})


@dataclass(frozen=True)
class AskContext:
    """Everything the answer needs from the database, loaded in one go."""

    user_id: int
    question: str
    anonymized_question: str
    category: Category | None
    conversation_id: int | None
    history: Sequence[tuple[str, str]]
    provider: Provider
    tariff: Tariff
    """The provider's prices: unknown for a provider given in place of the category's."""
    system_prompt: str
    # The categories the user may read (None: all of them, for staff).
    readable_ids: list[int] | None

    @property
    def category_ids(self) -> list[int] | None:
        """The categories searched: the conversation's one, or all the user may read."""
        return [self.category.pk] if self.category else self.readable_ids


def checked_question(question: str) -> str:
    """`question` single-spaced; refused when empty or longer than MAX_QUESTION_LENGTH."""
    question = " ".join((question or "").split())
    if not question:
        raise QuestionRefused(_("La question est vide."))
    if _UNWRITABLE.search(question):
        raise QuestionRefused(
            _("La question contient des caractères invalides (caractère nul ou code isolé).")
        )
    if len(question) > settings.MAX_QUESTION_LENGTH:
        raise QuestionRefused(
            _(
                "La question est trop longue (%(length)s caractères, %(most)s au plus). "
                "Raccourcissez-la."
            ),
            {"length": len(question), "most": settings.MAX_QUESTION_LENGTH},
        )
    return question


def load_ask_context(
    *,
    user_id: int,
    question: str,
    category_slug: str | None,
    conversation_id: int | None,
    provider: Provider | None = None,
) -> AskContext:
    """What answering `question` needs; `provider` replaces the category's (benchmarks)."""
    question = checked_question(question)
    user = get_user_model().objects.get(pk=user_id)
    readable = readable_categories(user)
    conversation = None
    if conversation_id is not None:
        # Another user's conversation is refused exactly like a missing one: no leak.
        conversation = (
            Conversation.objects.select_related("category__language_model")
            .filter(pk=conversation_id, user_id=user_id)
            .first()
        )
        if conversation is None or not _still_readable(conversation, readable):
            raise QuestionRefused(_("Cette conversation n'existe pas ou ne vous appartient pas."))
    category = conversation.category if conversation else _category(category_slug, readable)
    language_model = _language_model(category, readable)
    return AskContext(
        user_id=user_id,
        question=question,
        anonymized_question=anonymize_if_enabled(question),
        category=category,
        conversation_id=conversation.pk if conversation else None,
        history=conversation_history(conversation) if conversation else (),
        provider=provider or provider_for(language_model),
        tariff=Tariff() if provider else tariff_for(language_model),
        system_prompt=_usable_prompt(category),
        readable_ids=readable_category_ids(user),
    )


def _language_model(
    category: Category | None, readable: QuerySet[Category]
) -> LanguageModel | None:
    """The model that answers: the category's (None: the site's). Asked across every
    category, the site's model when it has one; else the model most of the readable
    categories use — with one category set up with a model and no site model, a question
    from the home page would otherwise get the extractive answer and « no model »."""
    if category is not None:
        return category.language_model
    if settings.LLM_PROVIDER != LanguageModel.Kind.EXTRACTIVE:
        return None
    return (
        LanguageModel.objects.filter(categories__in=readable)
        .annotate(used=Count("categories", filter=Q(categories__in=readable)))
        .order_by("-used", "name")
        .first()
    )


def _still_readable(conversation: Conversation, readable: QuerySet[Category]) -> bool:
    """A conversation in a category the user has since lost access to is closed to them."""
    category_id = conversation.category_id
    return category_id is None or readable.filter(pk=category_id).exists()


def _category(slug: str | None, readable: QuerySet[Category]) -> Category | None:
    if not slug:
        return None
    # A category the user may not read is refused exactly like a missing one.
    category = readable.select_related("language_model").filter(slug=slug).first()
    if category is None:
        raise CategoryNotFound(slug)
    return category


def _usable_prompt(category: Category | None) -> str:
    """The category's prompt, or the default one if it predates prompt validation and is
    broken (an answer with the default prompt beats no answer)."""
    if category is None:
        return DEFAULT_SYSTEM_PROMPT
    try:
        validate_system_prompt(category.system_prompt)
    except Exception:
        return DEFAULT_SYSTEM_PROMPT
    return category.system_prompt


def conversation_history(conversation: Conversation) -> list[tuple[str, str]]:
    """The last answered (question, answer) pairs, oldest first, questions anonymised."""
    turns = settings.CONVERSATION_HISTORY_TURNS
    if turns <= 0:
        return []
    exchanges = (
        conversation.exchanges.filter(status=Exchange.Status.DONE)
        .order_by("-created_at", "-pk")
        .values_list("standalone_question", "question", "answer")[:turns]
    )
    return [(standalone or question, answer) for standalone, question, answer in exchanges][::-1]


def start_exchange(
    *,
    context: AskContext,
    standalone_question: str,
    sources: list[dict],
    correction_id: int | None,
    retrieval_ms: int,
) -> tuple[int, int]:
    """Record the question (and its conversation, if new): (conversation id, exchange id)."""
    conversation_id = context.conversation_id
    if conversation_id is None:
        conversation_id = Conversation.objects.create(
            user_id=context.user_id,
            category=context.category,
            title=_title(context.anonymized_question),
        ).pk
    else:
        Conversation.objects.filter(pk=conversation_id).update(updated_at=timezone.now())
    exchange = Exchange.objects.create(
        conversation_id=conversation_id,
        question=context.anonymized_question,
        sealed_question=_sealed_original(context),
        standalone_question=standalone_question,
        sources=sources,
        correction_id=correction_id,
        provider=context.provider.label,
        model=context.provider.model,
        retrieval_ms=retrieval_ms,
    )
    return conversation_id, exchange.pk


def _sealed_original(context: AskContext) -> str:
    """The question as asked, sealed for its author; nothing when anonymising changed nothing."""
    if context.question == context.anonymized_question:
        return ""
    return seal(context.question)


def question_as_asked(exchange: Exchange) -> str:
    """The question as its author typed it: for them alone (their conversations, their data).

    Everyone else reads `exchange.question`, anonymised. Sealed under a key since dropped, the
    original is lost and the author reads the anonymised question too."""
    if not exchange.sealed_question:
        return exchange.question
    return unseal(exchange.sealed_question) or exchange.question


def title_as_asked(conversation: Conversation, first_sealed_question: str) -> str:
    """The conversation's title in its author's words, for them alone: taken from their
    first question as asked (`first_sealed_question`, that exchange's `sealed_question`).

    Everyone else reads `conversation.title`, made from the anonymised question."""
    original = unseal(first_sealed_question) if first_sealed_question else None
    return _title(original) if original else conversation.title


def _title(question: str) -> str:
    if len(question) <= TITLE_LENGTH:
        return question
    return question[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def finish_exchange(
    *,
    exchange_id: int,
    status: str,
    outcome: str,
    answer: str,
    usage: Usage | None = None,
    first_token_ms: int | None = None,
    total_ms: int | None = None,
    error_message: str = "",
    checks: dict | None = None,
) -> None:
    Exchange.objects.filter(pk=exchange_id).update(
        status=status,
        outcome=outcome,
        answer=answer,
        checks=checks or {},
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        cost=usage.cost if usage else None,
        energy_wh=usage.energy_wh if usage else None,
        first_token_ms=first_token_ms,
        total_ms=total_ms,
        error_message=error_message,
    )
