"""Whole answers for the REST API: given at once, or later by a task that may call back."""

import logging
from uuid import UUID

from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.answering import Done, Sources, answer_question
from chat.callbacks import CallbackUnavailable, check_callback_url, post_callback
from chat.conversations import CategoryNotFound, QuestionRefused
from chat.models import AnswerTask, Conversation
from chat.websocket_messages import done_message
from common.errors import NotFound, UserError
from common.sealing import seal
from documents.models import Category
from documents.selectors import readable_categories

logger = logging.getLogger(__name__)


def answer_now(
    *, user_id: int, question: str, category_slug: str, conversation_id: int | None = None
) -> dict[str, object]:
    """Answer `question` in the category, in full: the websocket's `done` message with the
    sources, without its type.

    Raises a `UserError`: `CategoryNotFound`, `QuestionRefused` (also for a conversation
    of another category), `ProviderError` or `SearchUnavailable`.
    """
    user = get_user_model().objects.get(pk=user_id)
    category = readable_categories(user).filter(slug=category_slug).first()
    if category is None:
        raise CategoryNotFound(category_slug)
    if conversation_id is not None:
        conversation = Conversation.objects.filter(pk=conversation_id, user_id=user_id).first()
        if conversation is not None and conversation.category_id != category.pk:
            raise QuestionRefused(
                gettext_lazy("Cette conversation ne porte pas sur la catégorie « %(name)s »."),
                {"name": category.name},
            )
    return async_to_sync(_collect)(
        user_id=user_id,
        question=question,
        category_slug=category_slug,
        conversation_id=conversation_id,
    )


async def _collect(**kwargs) -> dict[str, object]:
    sources: list[dict] = []
    done: Done | None = None
    async for event in answer_question(**kwargs):
        if isinstance(event, Sources):
            sources = event.sources
        elif isinstance(event, Done):
            done = event
    assert done is not None, "answer_question ends with Done or raises"
    message = done_message(done)
    del message["type"]
    return {**message, "sources": sources}


def create_answer_task(
    *, user_id: int, category: Category, question: str, callback_url: str = ""
) -> AnswerTask:
    """Record the question (sealed: it holds what the person typed, names included) and
    queue its answer; raises `CallbackRefused` for a callback URL answers may not be sent to."""
    from chat.tasks import run_answer_task  # the tasks module imports this one

    if callback_url:
        check_callback_url(callback_url)
    task = AnswerTask.objects.create(
        user_id=user_id, category=category, question=seal(question), callback_url=callback_url
    )
    transaction.on_commit(lambda: run_answer_task.delay(str(task.pk)))
    return task


def run_answer_task(*, task_id: UUID | str, last_attempt: bool = True) -> None:
    """Answer the task's question, keep the result or the error, then POST it to the
    callback URL, if any.

    A task already answered (a retry, a redelivered message) is not answered again, and its
    callback is posted only while it was neither received, refused nor given up. Raises
    `CallbackUnavailable` when the callback failed in a way that may pass, unless this was
    the `last_attempt`: the caller tries again later.
    """
    task = AnswerTask.objects.select_related("category").get(pk=task_id)
    if task.status not in (AnswerTask.Status.DONE, AnswerTask.Status.FAILED):
        _answer(task)
    if task.callback_url and task.callback_finished_at is None:
        _call_back(task, last_attempt=last_attempt)


def _answer(task: AnswerTask) -> None:
    task.status = AnswerTask.Status.RUNNING
    task.save(update_fields=["status"])
    try:
        task.result = answer_now(
            user_id=task.user_id, question=task.asked, category_slug=task.category.slug
        )
    except UserError as error:
        task.status, task.error_message = AnswerTask.Status.FAILED, error.message
    except Exception:
        logger.exception("Answering task %s failed.", task.pk)
        task.status = AnswerTask.Status.FAILED
        task.error_message = _(
            "Une erreur inattendue a empêché de répondre. L'équipe informatique est prévenue."
        )
    else:
        task.status = AnswerTask.Status.DONE
    task.finished_at = timezone.now()
    task.save(update_fields=["status", "result", "error_message", "finished_at"])


def _call_back(task: AnswerTask, *, last_attempt: bool) -> None:
    task.callback_attempts += 1
    try:
        task.callback_status = post_callback(task.callback_url, task_as_dict(task))
    except CallbackUnavailable as error:
        task.callback_status = error.status
        if not last_attempt:
            task.save(update_fields=["callback_status", "callback_attempts"])
            raise
        logger.warning(
            "Answer callback of task %s given up after %s attempts.",
            task.pk,
            task.callback_attempts,
        )
    task.callback_finished_at = timezone.now()
    task.save(update_fields=["callback_status", "callback_attempts", "callback_finished_at"])


def task_as_dict(task: AnswerTask) -> dict[str, object]:
    """The task as the API shows it and as its callback receives it."""
    return {
        "task": str(task.pk),
        "status": task.status,
        "category": task.category.slug,
        "question": task.asked,
        "result": task.result,
        "error": task.error_message,
        "created_at": task.created_at.isoformat(),
        "finished_at": task.finished_at.isoformat() if task.finished_at else None,
    }


def task_for_user(*, task_id: UUID, user_id: int) -> AnswerTask:
    """The task, if it is this user's: another's is as missing as an unknown one
    (`NotFound`)."""
    task = AnswerTask.objects.select_related("category").filter(pk=task_id, user_id=user_id).first()
    if task is None:
        raise NotFound(gettext_lazy("Cette tâche n'existe pas ou ne vous appartient pas."))
    return task
