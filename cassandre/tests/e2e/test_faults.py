"""/healthz and the pages when a part is down: every broken part is named with a short
reason, the answer is a 503 within two seconds even when a part hangs, and a page that
cannot be served is a plain error page, never a traceback. The outages are real: our own
Redis stopped, ports where nothing answers, a server started without its database."""

import os
import socket
import time

import httpx
import pytest
from django.urls import reverse

from testing.openai_server import FakeOpenAIServer
from testing.redis import RedisServer, celery_publishing_to, redis_binary
from testing.services import (
    free_port,
    require,
    running_daphne,
)

pytestmark = pytest.mark.django_db


def healthz(client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    return response.status_code, response.json()["checks"], time.monotonic() - started


def s3_storage_at(settings, endpoint_url: str) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "endpoint_url": endpoint_url,
                "access_key": "key",
                "secret_key": "secret",
                "bucket_name": "cassandre",
                "region_name": "us-east-1",
                "addressing_style": "path",
            },
        },
    }


def redis_channel_layer_at(settings, url: str) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
    }


@pytest.mark.services
def test_healthz_names_the_broker_and_the_channel_layer_when_their_redis_stops(
    client, settings, tmp_path
):
    require(redis_binary() is not None, "redis-server")
    redis = RedisServer(tmp_path)
    redis.start()
    redis_channel_layer_at(settings, redis.url(1))
    with celery_publishing_to(redis.url(0)):
        assert healthz(client)[0] == 200
        redis.stop()
        status, checks, elapsed = healthz(client)
    assert status == 503
    assert checks["broker"] == {"status": "error", "error": "OperationalError"}
    assert checks["channel_layer"]["status"] == "error"
    assert checks["database"]["status"] == "ok"
    assert elapsed < 2


def test_healthz_names_the_storage_and_the_vector_store_when_nothing_answers(client, settings):
    s3_storage_at(settings, f"http://127.0.0.1:{free_port()}")
    settings.QDRANT_URL = f"http://127.0.0.1:{free_port()}"
    healthz(client)  # the first call imports the clients (~2 s on a busy machine): a Timeout
    status, checks, elapsed = healthz(client)
    assert status == 503
    assert checks["storage"] == {"status": "error", "error": "EndpointConnectionError"}
    assert checks["vector_store"] == {"status": "error", "error": "VectorStoreError"}
    assert elapsed < 2


@pytest.fixture
def black_hole():
    """A port that takes connections and never says a word (a stuck or firewalled server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]
    # Closing it resets the connections still waiting: the abandoned checks end too.


def test_healthz_answers_within_two_seconds_when_parts_hang(client, settings, black_hole):
    address = f"127.0.0.1:{black_hole}"
    s3_storage_at(settings, f"http://{address}")
    settings.QDRANT_URL = f"http://{address}"
    settings.QDRANT_TIMEOUT = 30
    redis_channel_layer_at(settings, f"redis://{address}/1")
    with celery_publishing_to(f"redis://{address}/0"):
        healthz(client)  # imports the clients
        status, checks, elapsed = healthz(client)
    assert status == 503
    for part in ("storage", "vector_store", "channel_layer", "broker"):
        assert checks[part]["status"] == "error", part
    assert checks["storage"]["error"] == checks["vector_store"]["error"] == "Timeout"
    assert checks["database"]["status"] == "ok"
    assert elapsed < 2


def test_healthz_reports_the_language_model_without_calling_it(client, settings):
    with FakeOpenAIServer(api_key="test-key") as server:
        settings.LLM_PROVIDER = "compatible"
        settings.LLM_API_BASE = server.base_url
        settings.LLM_API_KEY = "test-key"
        status, checks, _ = healthz(client)
        assert server.requests == []
    assert status == 200, checks
    assert checks["language_model"]["status"] == "ok"
    assert checks["language_model"]["provider"] == "compatible"
    assert "test-key" not in str(checks) and "127.0.0.1" not in str(checks)


def test_healthz_names_a_language_model_configured_so_that_it_cannot_answer(client, settings):
    settings.LLM_PROVIDER = "compatible"
    settings.LLM_API_BASE = ""  # an OpenAI-compatible server, but at which address?
    status, checks, _ = healthz(client)
    assert status == 503
    assert checks["language_model"] == {"status": "error", "error": "ImproperlyConfigured"}


@pytest.fixture
def server_without_database(tmp_path):
    """daphne serving the site, its PostgreSQL at a port where nothing listens."""
    (tmp_path / "test-media").mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cassandre.test_settings",
        "CASSANDRE_DATA_DIR": str(tmp_path),
        "DB_HOST": "127.0.0.1",
        "DB_PORT": str(free_port()),
        "CELERY_BROKER_URL": "memory://localhost/",
        "ANONYMIZE_QUESTIONS": "false",
    }
    with running_daphne(env=env, log_path=tmp_path / "daphne.log") as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.services
def test_without_its_database_the_site_says_so_on_healthz_and_fails_pages_cleanly(
    server_without_database,
):
    httpx.get(f"{server_without_database}/healthz", timeout=10)  # the process warms up
    started = time.monotonic()
    health = httpx.get(f"{server_without_database}/healthz", timeout=10)
    assert time.monotonic() - started < 2
    assert health.status_code == 503
    database = health.json()["checks"]["database"]
    # The connection pool keeps trying in the background: the check may give up first.
    assert database["status"] == "error" and database["error"] in ("OperationalError", "Timeout")

    # A signed-in visitor's session, and an API token, both live in the database.
    page = httpx.get(
        f"{server_without_database}/chat/search/?q=congés",
        cookies={"sessionid": "x" * 32},
        timeout=10,
    )
    api = httpx.get(
        f"{server_without_database}/api/documents/1/",
        headers={"Authorization": "Token 0123456789abcdef"},
        timeout=10,
    )
    for response in (page, api):
        assert response.status_code == 500
        assert "Cassandre rencontre un problème" in response.text
        assert "Traceback" not in response.text and "psycopg" not in response.text
