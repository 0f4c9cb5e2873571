"""How long questions and answers are kept: CONVERSATION_RETENTION_DAYS, then deleted."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from chat.models import AnswerTask, Conversation

# Conversations deleted per query: each delete loads its exchanges to unlink proposals.
BATCH_SIZE = 500


@dataclass(frozen=True)
class PurgeReport:
    conversations: int
    answer_tasks: int


def retention_cutoff(now: datetime | None = None) -> datetime | None:
    """Anything last touched before this moment has expired; None when kept forever."""
    days = settings.CONVERSATION_RETENTION_DAYS
    if days <= 0:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def purge_old_conversations(now: datetime | None = None) -> int:
    """Delete the conversations untouched for CONVERSATION_RETENTION_DAYS; return how many.

    Their questions, answers and ratings go with them. Correction proposals stay, for the
    review queue and its history: they only lose the link to their question.
    """
    cutoff = retention_cutoff(now)
    if cutoff is None:
        return 0
    expired = Conversation.objects.filter(updated_at__lt=cutoff).exclude(
        exchanges__created_at__gte=cutoff
    )
    deleted = 0
    while batch := list(expired.values_list("pk", flat=True)[:BATCH_SIZE]):
        Conversation.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
    return deleted


def purge_old_answer_tasks(now: datetime | None = None) -> int:
    """Delete the API tasks finished (or abandoned) before the retention; return how many."""
    cutoff = retention_cutoff(now)
    if cutoff is None:
        return 0
    expired = AnswerTask.objects.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    deleted, _ = expired.delete()
    return deleted


def purge_expired(now: datetime | None = None) -> PurgeReport:
    """Everything past the retention: conversations and API tasks."""
    now = now or timezone.now()
    return PurgeReport(
        conversations=purge_old_conversations(now),
        answer_tasks=purge_old_answer_tasks(now),
    )
