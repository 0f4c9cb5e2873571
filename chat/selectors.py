"""Queries on conversations and correction proposals. A user only ever sees their own."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from chat.models import Conversation, CorrectionProposal, Exchange, Feedback


def conversations_of(user: AbstractBaseUser) -> QuerySet[Conversation]:
    """The user's conversations, most recently active first, each with `exchange_count` and
    `first_sealed_question` (their first question as asked, sealed, for the title)."""
    return _own(user).annotate(exchange_count=Count("exchanges")).order_by("-updated_at", "-pk")


def conversation_of(user: AbstractBaseUser, conversation_id: int) -> Conversation | None:
    """One of the user's conversations with its exchanges in order, or None.

    Each exchange carries `own_feedback`: the user's rating of it, as a list of zero or one.
    """
    exchanges = Exchange.objects.order_by("created_at", "pk").prefetch_related(
        Prefetch("feedback", queryset=Feedback.objects.filter(user=user), to_attr="own_feedback")
    )
    return (
        _own(user)
        .filter(pk=conversation_id)
        .prefetch_related(Prefetch("exchanges", queryset=exchanges))
        .first()
    )


def _own(user: AbstractBaseUser) -> QuerySet[Conversation]:
    first = Exchange.objects.filter(conversation=OuterRef("pk")).order_by("created_at", "pk")
    return (
        Conversation.objects.filter(user=user)
        .select_related("category")
        .annotate(first_sealed_question=Subquery(first.values("sealed_question")[:1]))
    )


def pending_proposals() -> QuerySet[CorrectionProposal]:
    """The review queue: proposals nobody approved or rejected yet, oldest first."""
    return (
        CorrectionProposal.objects.filter(status=CorrectionProposal.Status.PENDING)
        .select_related("category", "author", "exchange")
        .order_by("created_at", "pk")
    )
