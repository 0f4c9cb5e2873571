"""Celery entry points of the chat: load ids, call a service. No logic here."""

from celery import shared_task

from chat import complete_answers


@shared_task(name="chat.run_answer_task")
def run_answer_task(task_id: str) -> None:
    complete_answers.run_answer_task(task_id=task_id)
