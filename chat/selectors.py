"""Queries on conversations and correction proposals. A user only ever sees their own."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, QuerySet

from chat.models import Conversation, CorrectionProposal, Exchange, Feedback


def conversations_of(user: AbstractBaseUser) -> QuerySet[Conversation]:
    """The user's conversations, most recently active first, each with `exchange_count`."""
    return (
        Conversation.objects.filter(user=user)
        .select_related("category")
        .annotate(exchange_count=Count("exchanges"))
        .order_by("-updated_at", "-pk")
    )


def conversation_of(user: AbstractBaseUser, conversation_id: int) -> Conversation | None:
    """One of the user's conversations with its exchanges in order, or None.

    Each exchange carries `own_feedback`: the user's rating of it, as a list of zero or one.
    """
    exchanges = Exchange.objects.order_by("created_at", "pk").prefetch_related(
        Prefetch("feedback", queryset=Feedback.objects.filter(user=user), to_attr="own_feedback")
    )
    return (
        Conversation.objects.filter(pk=conversation_id, user=user)
        .select_related("category")
        .prefetch_related(Prefetch("exchanges", queryset=exchanges))
        .first()
    )


def pending_proposals() -> QuerySet[CorrectionProposal]:
    """The review queue: proposals nobody approved or rejected yet, oldest first."""
    return (
        CorrectionProposal.objects.filter(status=CorrectionProposal.Status.PENDING)
        .select_related("category", "author", "exchange")
        .order_by("created_at", "pk")
    )
