"""Ingestion on the real services, as deployed: PostgreSQL, Redis, a separate Celery worker
process and S3 (SeaweedFS), with the `index_documents` command and a plain upload."""

import re
import subprocess

import pytest
from celery import current_app as celery_app

from documents.models import Document
from documents.tests.factories import DocumentFactory
from testing.sample_corpus import write_sample_corpus
from testing.seaweedfs import S3_TEST_BUCKET
from testing.services import (
    BASE_DIR,
    python_command,
    start_process,
    stop_process,
    wait_until,
)

pytestmark = pytest.mark.services


@pytest.fixture
def celery_worker(services_env, tmp_path):
    celery_app.control.purge()
    log = tmp_path / "worker.log"
    process = start_process(
        python_command(
            "-m",
            "celery",
            "-A",
            "cassandre",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ),
        env=services_env,
        log_path=log,
    )
    yield log
    stop_process(process)


def test_an_uploaded_document_is_indexed_by_a_worker_process(celery_worker, s3_storage):
    document = DocumentFactory()

    def indexed() -> bool:
        return Document.objects.get(pk=document.pk).status == Document.Status.INDEXED

    try:
        wait_until(indexed, timeout=90, what="the worker to index the document")
    except TimeoutError:
        pytest.fail("Worker log:\n" + celery_worker.read_text())
    document.refresh_from_db()
    assert document.chunk_count >= 1
    assert s3_storage.head_object(Bucket=S3_TEST_BUCKET, Key=document.file.name)


def test_index_documents_indexes_a_folder_and_explains_every_failure(
    celery_worker, services_env, s3_storage, tmp_path
):
    folder = tmp_path / "corpus"
    write_sample_corpus(folder, count=12, broken_share=0.25, seed=7)
    result = subprocess.run(
        python_command(
            "manage.py",
            "index_documents",
            str(folder),
            "--category",
            "Ressources humaines",
            "--create-category",
            "--wait",
            "--timeout",
            "180",
        ),
        cwd=BASE_DIR,
        env=services_env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    output = result.stdout
    assert result.returncode == 0, output + result.stderr + celery_worker.read_text()

    documents = Document.objects.filter(category__name="Ressources humaines")
    indexed = documents.filter(status=Document.Status.INDEXED)
    failed = documents.filter(status=Document.Status.FAILED)
    assert indexed.count() == 9
    assert {document.error_message != "" for document in failed} == {True}
    assert failed.count() + 1 == 3  # the empty file is refused at upload, never stored
    assert re.search(
        r"Indexed: 9 document\(s\), \d+ chunk\(s\) in [\d.]+ s \([\d.]+ chunks/s\)", output
    )
    for document in failed:
        assert document.error_message in output
    stored = s3_storage.list_objects_v2(
        Bucket=S3_TEST_BUCKET, Prefix="documents/ressources-humaines/"
    )
    assert stored["KeyCount"] == documents.count()
