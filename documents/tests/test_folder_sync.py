"""The synchronisation service: unchanged files not read again, scheduled runs recorded on
their FolderSync, and the look for those due."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from documents import folder_sync, tasks
from documents.folder_sync import queue_due_syncs, run_folder_sync, sync_source
from documents.models import FolderSync
from documents.sources import FolderSource
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

GUIDE = b"Les conges se posent en ligne, deux semaines avant."


class CountingFolder(FolderSource):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.opened: list[str] = []

    def open(self, file):
        self.opened.append(file.path)
        return super().open(file)


@pytest.fixture
def shared(tmp_path) -> Path:
    (tmp_path / "partage").mkdir()
    (tmp_path / "partage" / "guide.txt").write_bytes(GUIDE)
    return tmp_path / "partage"


def test_a_file_of_the_same_size_and_date_is_not_read_again(shared):
    category = CategoryFactory()
    sync_source(category=category, source=FolderSource(shared))
    source = CountingFolder(shared)

    report = sync_source(category=category, source=source)

    assert source.opened == [] and report.unchanged == 1


def test_a_scheduled_run_records_its_start_and_summary(shared):
    scheduled = FolderSync.objects.create(category=CategoryFactory(), source=str(shared))

    run_folder_sync(scheduled)

    scheduled.refresh_from_db()
    assert scheduled.last_run_at is not None and scheduled.last_error == ""
    assert scheduled.last_summary == (
        "1 ajouté(s), 0 nouvelle(s) version(s), 0 rétabli(s), 0 inchangé(s), 0 archivé(s), "
        "0 refusé(s)."
    )


def test_a_scheduled_run_whose_source_is_missing_records_why(tmp_path):
    scheduled = FolderSync.objects.create(
        category=CategoryFactory(), source=str(tmp_path / "absent")
    )

    run_folder_sync(scheduled)

    scheduled.refresh_from_db()
    assert "No such folder" in scheduled.last_error and scheduled.last_summary == ""


def test_a_scheduled_run_is_not_started_twice_at_once(shared):
    scheduled = FolderSync.objects.create(category=CategoryFactory(), source=str(shared))
    cache.add(f"folder-sync-running:{scheduled.pk}", True)
    try:
        assert run_folder_sync(scheduled) is None
    finally:
        cache.delete(f"folder-sync-running:{scheduled.pk}")
    assert not scheduled.category.documents.exists()


def test_the_task_runs_the_synchronisation_it_is_given(shared):
    scheduled = FolderSync.objects.create(category=CategoryFactory(), source=str(shared))

    tasks.sync_folder(scheduled.pk)

    assert scheduled.category.documents.get().title == "guide"


# --- Which synchronisations are due -------------------------------------------------------


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.sync_folder, "delay", sent.append)
    return sent


def test_the_syncs_due_are_those_never_run_or_last_run_an_interval_ago(queued):
    now = timezone.now()
    category = CategoryFactory()

    def scheduled(source: str, **fields) -> FolderSync:
        return FolderSync.objects.create(
            category=category, source=source, interval_minutes=60, **fields
        )

    never_run = scheduled("/srv/jamais")
    an_hour_ago = scheduled("/srv/il-y-a-une-heure", last_run_at=now - timedelta(minutes=60))
    scheduled("/srv/recente", last_run_at=now - timedelta(minutes=59))
    scheduled("/srv/a-la-demande", enabled=False)

    assert set(queue_due_syncs(now=now)) == {never_run, an_hour_ago}
    assert sorted(queued) == sorted([never_run.pk, an_hour_ago.pk])
    assert FolderSync.objects.get(pk=never_run.pk).last_run_at == now


def test_a_sync_just_queued_is_not_queued_again_at_the_next_look(queued):
    FolderSync.objects.create(category=CategoryFactory(), source="/srv/partage")
    now = timezone.now()

    queue_due_syncs(now=now)
    queue_due_syncs(now=now + timedelta(minutes=1))

    assert len(queued) == 1


def test_a_sync_the_queue_could_not_take_stays_due(monkeypatch):
    scheduled = FolderSync.objects.create(category=CategoryFactory(), source="/srv/partage")
    monkeypatch.setattr(folder_sync, "request_folder_sync", lambda folder_sync: False)

    assert queue_due_syncs() == []

    assert FolderSync.objects.get(pk=scheduled.pk).last_run_at is None


def test_the_periodic_task_queues_the_syncs_due(queued):
    scheduled = FolderSync.objects.create(category=CategoryFactory(), source="/srv/partage")

    tasks.sync_due_folders()

    assert queued == [scheduled.pk]
