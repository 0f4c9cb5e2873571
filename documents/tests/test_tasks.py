"""Periodic tasks — the index check, the look for folder syncs due — queued by beat or by
the embedded worker."""

from types import SimpleNamespace

import pytest

from documents import tasks
from documents.models import IndexCheck

pytestmark = pytest.mark.django_db


def test_the_periodic_task_checks_the_index_and_repairs():
    tasks.check_index()

    assert IndexCheck.objects.get().repair


class FakeTimer:
    def __init__(self) -> None:
        self.every: list[float] = []

    def call_repeatedly(self, seconds: float, function):
        self.every.append(seconds)
        self.function = function
        return SimpleNamespace(cancel=lambda: None)


@pytest.mark.parametrize(
    ("embedded", "interval", "included"),
    [(True, 600, True), (True, 0, False), (False, 600, False)],
)
def test_only_the_embedded_worker_times_the_check_itself(settings, embedded, interval, included):
    settings.EMBEDDED_WORKER, settings.INDEX_CHECK_INTERVAL = embedded, interval
    consumer = SimpleNamespace(timer=FakeTimer())

    step = tasks.CheckIndexPeriodically(consumer)

    assert bool(step.include_if(consumer)) is included


def test_the_embedded_timer_queues_the_check_every_interval(settings, monkeypatch):
    settings.EMBEDDED_WORKER, settings.INDEX_CHECK_INTERVAL = True, 600
    queued = []
    monkeypatch.setattr(tasks.check_index, "delay", lambda: queued.append("check_index"))
    consumer = SimpleNamespace(timer=FakeTimer())
    step = tasks.CheckIndexPeriodically(consumer)

    step.start(consumer)
    consumer.timer.function()

    assert consumer.timer.every == [600]
    assert queued == ["check_index"]


def test_the_embedded_timer_looks_for_the_folder_syncs_due_every_interval(settings, monkeypatch):
    settings.EMBEDDED_WORKER, settings.FOLDER_SYNC_CHECK_INTERVAL = True, 60
    queued = []
    monkeypatch.setattr(tasks.sync_due_folders, "delay", lambda: queued.append("sync_due"))
    consumer = SimpleNamespace(timer=FakeTimer())
    step = tasks.SyncFoldersPeriodically(consumer)

    assert step.include_if(consumer)
    step.start(consumer)
    consumer.timer.function()

    assert consumer.timer.every == [60]
    assert queued == ["sync_due"]


def test_beat_looks_for_the_folder_syncs_due():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["sync-folders"]
    assert entry["task"] == tasks.sync_due_folders.name
