import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from common.health import CHECKS

pytestmark = pytest.mark.django_db

PARTS = {
    "database",
    "broker",
    "channel_layer",
    "storage",
    "vector_store",
    "language_model",
    "passages",
}


def test_healthz_is_200_with_every_part_ok(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == PARTS
    assert {check["status"] for check in body["checks"].values()} == {"ok"}


def test_healthz_is_503_and_names_the_part_that_is_down(client, settings):
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["vector_store"]["status"] == "error"
    assert checks["database"]["status"] == "ok"


def test_healthz_does_not_leak_error_details(client, settings):
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    vector_store = client.get(reverse("healthz")).json()["checks"]["vector_store"]
    assert set(vector_store) == {"status", "error"}
    assert "127.0.0.1" not in vector_store["error"]


def test_healthz_is_never_cached(client):
    assert "no-cache" in client.get(reverse("healthz"))["Cache-Control"]


def test_every_part_has_a_check():
    assert set(CHECKS) == PARTS


def test_serve_refuses_a_separate_worker_beside_the_in_process_store(settings):
    settings.EMBEDDED_WORKER = False
    settings.QDRANT_URL = ""

    with pytest.raises(CommandError, match="QDRANT_URL"):
        call_command("serve")
