"""Which queue each task goes to: answers, indexing and exports each have their own, read by
their own worker (see docker-compose.yml, start_all.sh, common.embedded_worker)."""

import pytest
from celery import current_app as celery_app


def queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("documents.index_document", "indexing"),
        ("documents.delete_document_passages", "indexing"),
        ("documents.index_correction", "indexing"),
        ("documents.delete_correction_passage", "indexing"),
        ("documents.check_index", "indexing"),
        ("documents.build_category_export", "exports"),
        ("chat.run_answer_task", "answers"),
    ],
)
def test_each_task_goes_to_the_queue_of_its_kind(task_name, queue):
    assert queue_of(task_name) == queue


def test_every_task_of_ours_has_a_queue_a_worker_reads():
    ours = [name for name in celery_app.tasks if name.startswith(("documents.", "chat."))]

    assert ours
    assert {queue_of(name) for name in ours} <= set(celery_app.amqp.queues)


def test_a_worker_started_without_queues_reads_all_three():
    assert set(celery_app.amqp.queues.consume_from) == {"indexing", "answers", "exports"}
