"""What Cassandre holds about one person, to give it to them or to erase it (GDPR requests).

That is their conversations (each question as they asked it and as others read it, answers
and the sources given), their ratings, the corrections they proposed and their asynchronous
API tasks. Corrections approved from their proposals are the organisation's answers now:
they stay, unlinked from the proposal.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.authtoken.models import Token

from chat.conversations import question_as_asked, title_as_asked
from chat.models import AnswerTask, Conversation, CorrectionProposal, Exchange, Feedback
from common.sealing import unseal

USER_FIELDS = ["username", "email", "first_name", "last_name", "date_joined", "last_login"]
EXCHANGE_FIELDS = [
    "id",
    "standalone_question",
    "answer",
    "sources",
    "status",
    "outcome",
    "provider",
    "model",
    "created_at",
]
FEEDBACK_FIELDS = ["exchange_id", "rating", "comment", "created_at", "updated_at"]
PROPOSAL_FIELDS = [
    "id",
    "exchange_id",
    "question",
    "answer",
    "status",
    "review_note",
    "reviewed_at",
    "created_at",
]
CATEGORY = {"category_slug": F("category__slug")}
TASK_FIELDS = [
    "id",
    "question",
    "callback_url",
    "status",
    "result",
    "error_message",
    "created_at",
    "finished_at",
]


@dataclass(frozen=True)
class DeletionReport:
    conversations: int
    exchanges: int
    feedback: int
    proposals: int
    answer_tasks: int
    account_deleted: bool


def export_user_data(user: AbstractBaseUser) -> dict[str, object]:
    """Everything above about `user`, as JSON-ready data (datetimes and UUIDs aside).

    Their API token is mentioned, never its key: it is a password.
    """
    token = Token.objects.filter(user=user).first()
    return {
        "exported_at": timezone.now(),
        "user": {field: getattr(user, field, None) for field in USER_FIELDS},
        "api_token_created": token.created if token else None,
        "conversations": [_conversation(c) for c in _conversations(user)],
        "feedback": list(Feedback.objects.filter(user=user).values(*FEEDBACK_FIELDS)),
        "correction_proposals": list(
            CorrectionProposal.objects.filter(author=user).values(*PROPOSAL_FIELDS, **CATEGORY)
        ),
        "answer_tasks": [
            {**task, "question": unseal(task["question"]) or task["question"]}
            for task in AnswerTask.objects.filter(user=user).values(*TASK_FIELDS, **CATEGORY)
        ],
    }


@transaction.atomic
def delete_user_data(user: AbstractBaseUser, *, delete_account: bool = False) -> DeletionReport:
    """Delete everything above about `user`, and with `delete_account` the account itself
    (its API token and admin history go with it)."""
    exchanges = Exchange.objects.filter(conversation__user=user).count()
    feedback, _ = Feedback.objects.filter(user=user).delete()
    proposals, _ = CorrectionProposal.objects.filter(author=user).delete()
    answer_tasks, _ = AnswerTask.objects.filter(user=user).delete()
    conversations = Conversation.objects.filter(user=user)
    conversation_count = conversations.count()
    conversations.delete()
    if delete_account:
        user.delete()
    return DeletionReport(
        conversations=conversation_count,
        exchanges=exchanges,
        feedback=feedback,
        proposals=proposals,
        answer_tasks=answer_tasks,
        account_deleted=delete_account,
    )


def _conversations(user: AbstractBaseUser):
    return (
        Conversation.objects.filter(user=user)
        .select_related("category")
        .prefetch_related("exchanges")
        .order_by("created_at")
    )


def _conversation(conversation: Conversation) -> dict[str, object]:
    exchanges = list(conversation.exchanges.all())
    first_sealed_question = exchanges[0].sealed_question if exchanges else ""
    return {
        "id": conversation.pk,
        "category_slug": conversation.category.slug if conversation.category else None,
        "title": title_as_asked(conversation, first_sealed_question),
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "exchanges": [_exchange(exchange) for exchange in exchanges],
    }


def _exchange(exchange: Exchange) -> dict[str, object]:
    return {
        "question": question_as_asked(exchange),
        "question_anonymised": exchange.question,
        **{field: getattr(exchange, field) for field in EXCHANGE_FIELDS},
    }
