import io
import logging
import threading
import zipfile

import pytest
from celery.signals import worker_ready
from django.core.management import CommandError, call_command
from django.db import connection

from common.embedded_worker import WORKER_LOGGERS
from documents import services, tasks
from documents.management.commands import base
from documents.models import Category, Document
from documents.tests.factories import CategoryFactory, DocumentFactory
from testing.services import wait_until

NOTE = b"Le teletravail est possible deux jours par semaine."
FAILURE_REASON = "Aucun texte exploitable dans ce document."


@pytest.fixture(autouse=True)
def _separate_worker(settings):
    """Unless a test says otherwise, a worker of its own indexes what the command queues."""
    settings.EMBEDDED_WORKER = False


@pytest.fixture(autouse=True)
def _worker_log_levels():
    """Puts the workers' loggers back as they were: an embedded run quiets them for good."""
    loggers = [logging.getLogger(name) for name in WORKER_LOGGERS]
    levels = [worker_logger.level for worker_logger in loggers]
    yield
    for worker_logger, level in zip(loggers, levels, strict=True):
        worker_logger.setLevel(level)


@pytest.fixture
def fake_worker(monkeypatch):
    """Stands for the Celery worker, whose real pipeline is tested elsewhere.

    A moment after being queued, a document whose file name contains "illisible" fails
    with a reason; any other is indexed in 3 chunks.
    """
    timers: list[threading.Timer] = []

    def delay(document_id: int) -> None:
        timer = threading.Timer(0.2, _index, args=[document_id])
        timers.append(timer)
        timer.start()

    monkeypatch.setattr(tasks.index_document, "delay", delay)
    yield
    for timer in timers:
        timer.join()


def _index(document_id: int) -> None:
    try:
        documents = Document.objects.filter(pk=document_id)
        if "illisible" in documents.get().original_filename:
            documents.update(status=Document.Status.FAILED, error_message=FAILURE_REASON)
        else:
            documents.update(status=Document.Status.INDEXED, chunk_count=3, page_count=1)
    finally:
        connection.close()


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "docs"
    (root / "RH" / "Congés").mkdir(parents=True)
    (root / "RH" / "Congés" / "guide.txt").write_bytes(b"Poser ses conges en ligne.")
    (root / "RH" / "notes_internes.md").write_bytes(b"# Notes")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_bytes(b"[core]")
    (root / ".brouillon.txt").write_bytes(b"cache")
    (root / "Thumbs.db").write_bytes(b"miniatures")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("Formation/plan.txt", b"Plan de formation 2025.")
    (root / "lot.zip").write_bytes(archive.getvalue())
    return root


def run(*args, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("index_documents", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_a_folder_is_uploaded_recursively_with_titles_from_its_subfolders(folder):
    category = CategoryFactory(name="Ressources humaines")
    out, err = run(folder, category="Ressources humaines")
    assert sorted(category.documents.values_list("title", flat=True)) == [
        "Formation — plan",
        "RH — Congés — guide",
        "RH — notes internes",
    ]
    assert "3 document(s) created, 0 new version(s), 0 duplicate(s), 0 rejected" in out
    assert "3 document(s) queued: a Celery worker indexes them" in out
    assert "Uploading" in err


@pytest.mark.django_db
def test_the_category_can_be_named_by_its_slug(tmp_path):
    category = CategoryFactory(name="Ressources humaines")
    (tmp_path / "note.txt").write_bytes(NOTE)
    run(tmp_path / "note.txt", category="ressources-humaines")
    assert category.documents.count() == 1


@pytest.mark.django_db
def test_an_unknown_category_is_an_error_that_lists_the_existing_ones(tmp_path):
    CategoryFactory(name="Ressources humaines")
    with pytest.raises(CommandError, match="Existing categories: 'Ressources humaines'"):
        run(tmp_path, category="Finances")
    assert not Category.objects.filter(name="Finances").exists()


@pytest.mark.django_db
def test_create_category_creates_the_missing_category(folder):
    out, _ = run(folder / "RH", category="Finances", create_category=True)
    assert Category.objects.get(name="Finances").documents.count() == 2
    assert "Created category 'Finances'" in out


@pytest.mark.django_db
def test_duplicates_and_rejected_files_are_listed_and_the_others_uploaded(tmp_path):
    CategoryFactory(name="RH")
    (tmp_path / "a.txt").write_bytes(NOTE)
    (tmp_path / "copie.txt").write_bytes(NOTE)
    (tmp_path / "vide.txt").write_bytes(b"")
    out, _ = run(tmp_path, category="RH")
    assert "1 document(s) created, 0 new version(s), 1 duplicate(s), 1 rejected" in out
    assert "duplicate copie.txt: same content as 'a'" in out
    assert "rejected  vide.txt: Le fichier est vide." in out


@pytest.mark.django_db
def test_strict_exits_with_status_1_when_a_file_is_rejected(tmp_path):
    CategoryFactory(name="RH")
    (tmp_path / "vide.txt").write_bytes(b"")
    with pytest.raises(CommandError, match=r"1 file\(s\) rejected") as error:
        run(tmp_path, category="RH", strict=True)
    assert error.value.returncode == 1


@pytest.mark.django_db
def test_a_missing_path_is_an_error(tmp_path):
    CategoryFactory(name="RH")
    with pytest.raises(CommandError, match="No such file or folder"):
        run(tmp_path / "absent", category="RH")


@pytest.mark.django_db
def test_uploading_needs_a_category_and_nothing_to_do_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="--category is required"):
        run(tmp_path)
    with pytest.raises(CommandError, match="Nothing to do"):
        run()


@pytest.mark.django_db(transaction=True)
def test_wait_summarises_indexed_and_failed_documents_with_the_reason(tmp_path, fake_worker):
    CategoryFactory(name="RH")
    (tmp_path / "guide.txt").write_bytes(NOTE)
    (tmp_path / "notes.md").write_bytes(b"# Notes")
    (tmp_path / "scan_illisible.pdf").write_bytes(b"%PDF-1.4 image seule")
    out, err = run(tmp_path, category="RH", wait=True)
    assert "Indexed: 2 document(s), 6 chunk(s) in" in out and "chunks/s" in out
    assert "Failed: 1 document(s):" in out
    assert f"scan illisible (#{Document.objects.get(status='failed').pk}): {FAILURE_REASON}" in out
    assert "Indexing" in err


@pytest.mark.django_db(transaction=True)
def test_strict_exits_with_status_1_when_a_document_failed(tmp_path, fake_worker):
    CategoryFactory(name="RH")
    (tmp_path / "scan_illisible.pdf").write_bytes(b"%PDF-1.4 image seule")
    with pytest.raises(CommandError, match=r"1 document\(s\) failed") as error:
        run(tmp_path, category="RH", wait=True, strict=True)
    assert error.value.returncode == 1


@pytest.mark.django_db
def test_wait_gives_up_after_the_timeout_with_an_error(tmp_path):
    CategoryFactory(name="RH")
    (tmp_path / "guide.txt").write_bytes(NOTE)
    with pytest.raises(CommandError, match="Stopped waiting with 1 document"):
        run(tmp_path, category="RH", wait=True, timeout=0.1)


@pytest.mark.django_db
def test_reindex_queues_the_documents_of_one_category_again(django_capture_on_commit_callbacks):
    category = CategoryFactory(name="RH")
    failed = DocumentFactory(category=category, status=Document.Status.FAILED, error_message="x")
    DocumentFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        out, _ = run(category="rh", reindex=True)
    assert "1 document(s) queued for indexing again." in out
    assert len(callbacks) == 1
    failed.refresh_from_db()
    assert failed.status == Document.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_reindex_with_wait_follows_every_document_to_its_end(fake_worker):
    DocumentFactory(status=Document.Status.INDEXED, chunk_count=9)
    DocumentFactory(status=Document.Status.INDEXED, chunk_count=9)
    out, _ = run(reindex=True, wait=True)
    assert "2 document(s) queued for indexing again." in out
    assert "Indexed: 2 document(s), 6 chunk(s)" in out


@pytest.mark.django_db
def test_paths_and_reindex_together_are_refused(tmp_path):
    with pytest.raises(CommandError, match="not both"):
        run(tmp_path, category="RH", reindex=True)


@pytest.mark.django_db(transaction=True)
def test_in_embedded_mode_the_command_runs_the_worker_and_waits(
    tmp_path, fake_worker, settings, monkeypatch
):
    settings.EMBEDDED_WORKER = True
    started = []

    def start_embedded_worker() -> None:
        started.append(True)
        worker_ready.send(sender=None)

    monkeypatch.setattr(base, "start_embedded_worker", start_embedded_worker)
    CategoryFactory(name="RH")
    (tmp_path / "guide.txt").write_bytes(NOTE)
    out, _ = run(tmp_path, category="RH")
    assert started == [True]
    assert "--wait implied" in out
    assert "Indexed: 1 document(s), 3 chunk(s)" in out


@pytest.mark.django_db(transaction=True)
def test_beside_a_running_embedded_server_the_documents_are_left_to_its_worker(
    tmp_path, settings, monkeypatch, fake_worker
):
    settings.EMBEDDED_WORKER = True
    monkeypatch.setattr(base, "embedded_server_running", lambda: True)
    monkeypatch.setattr(base, "start_embedded_worker", pytest.fail)
    CategoryFactory(name="RH")
    (tmp_path / "note.txt").write_bytes(NOTE)

    out, _ = run(tmp_path / "note.txt", category="RH")

    assert "1 document(s) handed to the running server" in out
    document = Document.objects.get()
    assert document.status == Document.Status.PENDING
    assert document.error_message == services.LEFT_TO_SERVER
    assert services.queue_documents_left_out() == 1
    wait_until(
        lambda: Document.objects.get().status == Document.Status.INDEXED,
        timeout=10,
        what="the server's worker",
    )


def run_embedded(tmp_path, monkeypatch, settings, **options) -> None:
    settings.EMBEDDED_WORKER = True
    monkeypatch.setattr(base, "start_embedded_worker", lambda: worker_ready.send(sender=None))
    CategoryFactory(name="RH")
    (tmp_path / "guide.txt").write_bytes(NOTE)
    run(tmp_path, category="RH", **options)


@pytest.mark.django_db(transaction=True)
def test_in_embedded_mode_the_worker_s_per_task_lines_are_not_printed(
    tmp_path, fake_worker, settings, monkeypatch, caplog
):
    run_embedded(tmp_path, monkeypatch, settings)
    caplog.clear()
    caplog.set_level(logging.INFO)  # what the console shows by default (LOG_LEVEL)

    logging.getLogger("celery.app.trace").info("Task documents.index_document[1] succeeded")
    logging.getLogger("celery.worker.strategy").info("Task documents.index_document[1] received")
    logging.getLogger("celery.app.trace").warning("Task documents.index_document[2] retry")

    assert [record.getMessage() for record in caplog.records] == [
        "Task documents.index_document[2] retry"
    ]


@pytest.mark.django_db(transaction=True)
def test_in_embedded_mode_verbosity_2_prints_the_worker_s_log_too(
    tmp_path, fake_worker, settings, monkeypatch, caplog
):
    run_embedded(tmp_path, monkeypatch, settings, verbosity=2)
    caplog.clear()
    caplog.set_level(logging.INFO)  # what the console shows by default (LOG_LEVEL)

    logging.getLogger("celery.app.trace").info("Task documents.index_document[1] succeeded")

    assert [record.getMessage() for record in caplog.records] == [
        "Task documents.index_document[1] succeeded"
    ]
