"""Celery entry points of the chat: load ids, call a service, decide on retries. No logic
here."""

from celery import shared_task
from django.conf import settings

from chat import complete_answers
from chat.callbacks import CallbackUnavailable, retry_delay


@shared_task(name="chat.run_answer_task", bind=True)
def run_answer_task(self, task_id: str) -> None:
    """Answer once; retry only the callback, with a growing delay (the countdown is held by
    the worker, not a slot of its pool)."""
    retries = settings.ANSWER_CALLBACK_RETRIES
    try:
        complete_answers.run_answer_task(
            task_id=task_id, last_attempt=self.request.retries >= retries
        )
    except CallbackUnavailable as error:
        raise self.retry(
            exc=error, countdown=retry_delay(self.request.retries + 1), max_retries=retries
        ) from error
