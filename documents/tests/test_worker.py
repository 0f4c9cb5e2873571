"""A document upload reaches a real Celery worker process through Redis."""

import hashlib
import os

import pytest
from django.conf import settings
from django.db import connection

from cassandre.celery import app as celery_app
from common.testing.services import python_command, require, start_process, stop_process, wait_until
from documents.models import Document
from documents.tests.factories import DocumentFactory


@pytest.fixture
def celery_worker_process(transactional_db, settings, tmp_path):
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "Redis (Celery broker)")
    require(connection.vendor == "postgresql", "PostgreSQL (shared with the worker)")
    media = tmp_path / "test-media"
    media.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media},
        },
    }
    celery_app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cassandre.test_settings",
        "DB_NAME": connection.settings_dict["NAME"],
        "CASSANDRE_DATA_DIR": str(tmp_path),
    }
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
        env=env,
        log_path=tmp_path / "worker.log",
    )
    yield tmp_path / "worker.log"
    stop_process(process)


@pytest.mark.services
def test_an_uploaded_document_is_processed_by_a_worker_on_redis(celery_worker_process):
    document = DocumentFactory()

    def processed() -> bool:
        return Document.objects.get(pk=document.pk).status == Document.Status.INDEXED

    try:
        wait_until(processed, timeout=60, what="the worker to process the document")
    except TimeoutError:
        pytest.fail("Worker log:\n" + celery_worker_process.read_text())
    document.refresh_from_db()
    assert document.chunk_count >= 1
    assert document.content_hash == hashlib.sha256(document.file.read()).hexdigest()
    assert "documents.index_document" in celery_worker_process.read_text()
    assert settings.CELERY_BROKER_URL.startswith("redis://")
