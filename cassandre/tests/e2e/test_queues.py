"""Answers and indexing never wait for each other: each has its own queue and its own worker
(or worker thread, embedded), in both modes.

Found by an outside test (2026-12): twelve queued questions with a slow callback held the
only worker, and a small document waited a minute for its indexing. Here one answer is held
in its callback for as long as the test wants (no guessed delay), and a document uploaded
meanwhile must be indexed while that answer is still held.
"""

import os
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from celery import current_app as celery_app
from django.conf import settings

from chat.complete_answers import create_answer_task
from chat.models import AnswerTask
from documents.models import Document
from documents.tests.factories import CategoryFactory, DocumentFactory
from testing.callback_receiver import CallbackReceiver
from testing.services import (
    BASE_DIR,
    free_port,
    port_open,
    python_command,
    start_process,
    stop_process,
    wait_until,
)

QUESTION = "Combien de jours de congés ?"
# Long enough for any indexing of one small text; the held answer outlasts it by far.
INDEXING_TIMEOUT = 60
SETUP = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from documents.models import Category
Category.objects.create(name="Ressources humaines", slug="rh")
admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "x-admin-9")
print(Token.objects.create(user=admin).key)
"""


@pytest.fixture
def held_callbacks():
    with CallbackReceiver(hold=True) as receiver:
        yield receiver


@pytest.fixture
def embedded_server(tmp_path, held_callbacks):
    """`manage.py serve` with no variable set, as `make run` starts it; yields an API client
    with an administrator's token."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
        "CASSANDRE_DATA_DIR": str(tmp_path / "data"),
        "ANSWER_CALLBACK_ALLOWED_URLS": held_callbacks.prefix,
        "ANSWER_CALLBACK_TIMEOUT": "600",
    }

    def manage(*args: str) -> str:
        result = subprocess.run(
            python_command("manage.py", *args),
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--noinput")
    manage("ensure_services")
    token = manage("shell", "-c", SETUP).split()[-1]
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_process(
        python_command("manage.py", "serve", "--port", str(port)), env=env, log_path=log
    )
    try:
        wait_until(lambda: port_open(port), timeout=60, what="manage.py serve")
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Token {token}"},
            timeout=30,
        ) as client:
            yield client
    finally:
        held_callbacks.release()
        stop_process(process)
        print("serve log:\n" + log.read_text())


def test_the_embedded_worker_indexes_a_document_while_an_answer_is_held(
    embedded_server, held_callbacks
):
    queued = embedded_server.post(
        "/api/v1/async_search/",
        json={
            "question": QUESTION,
            "category": "rh",
            "callback_url": f"{held_callbacks.prefix}/cassandre",
        },
    )
    assert queued.status_code == 202, queued.text
    wait_until(held_callbacks.holding.is_set, timeout=60, what="the answer's callback")

    upload = embedded_server.post(
        "/api/documents/",
        data={"category": "rh"},
        files={"file": ("conges.txt", "Les congés se posent en ligne.".encode())},
    )
    assert upload.status_code == 201, upload.text
    document_url = upload.json()["created"][0]["url"]

    def indexed() -> bool:
        return embedded_server.get(document_url).json()["status"] == "indexed"

    wait_until(indexed, timeout=INDEXING_TIMEOUT, what="the document, while the answer waits")
    task = embedded_server.get(queued.json()["url"]).json()
    assert task["status"] == "done" and task["callback_status"] == ""


def deployed_worker_commands() -> list[list[str]]:
    """The Celery workers docker-compose.yml starts, one command line each."""
    services = yaml.safe_load(Path(settings.BASE_DIR, "docker-compose.yml").read_text())
    return [
        service["command"]
        for service in services["services"].values()
        if service.get("command", [None])[0] == "celery"
    ]


@pytest.fixture
def deployed_workers(services_env, held_callbacks, tmp_path):
    """The workers of the compose file, each with one slot (solo pool) so that one held
    answer fills its worker. Each has its own data folder: without QDRANT_URL each process
    opens its own Qdrant Edge store, and the answers here need none of the passages."""
    celery_app.control.purge()
    processes, logs = [], []
    for number, command in enumerate(deployed_worker_commands()):
        env = {
            **services_env,
            "CASSANDRE_DATA_DIR": str(tmp_path / f"worker-{number}"),
            "ANSWER_CALLBACK_ALLOWED_URLS": held_callbacks.prefix,
            "ANSWER_CALLBACK_TIMEOUT": "600",
        }
        logs.append(tmp_path / f"worker-{number}.log")
        options = ["--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        processes.append(
            start_process(
                python_command("-m", *command, *options, f"--hostname=worker{number}@%h"),
                env=env,
                log_path=logs[-1],
            )
        )
    yield
    held_callbacks.release()
    for process, log in zip(processes, logs, strict=True):
        stop_process(process)
        print(f"{log.name}:\n" + log.read_text())


@pytest.mark.services
def test_separate_workers_index_a_document_while_an_answer_is_held(
    deployed_workers, held_callbacks, settings, admin_user
):
    settings.ANSWER_CALLBACK_ALLOWED_URLS = [held_callbacks.prefix]
    category = CategoryFactory(name="Ressources humaines")
    task = create_answer_task(
        user_id=admin_user.pk,
        category=category,
        question=QUESTION,
        callback_url=f"{held_callbacks.prefix}/cassandre",
    )
    wait_until(held_callbacks.holding.is_set, timeout=90, what="the answer's callback")

    document = DocumentFactory(category=category)

    def indexed() -> bool:
        return Document.objects.get(pk=document.pk).status == Document.Status.INDEXED

    wait_until(indexed, timeout=INDEXING_TIMEOUT, what="the document, while the answer waits")
    task.refresh_from_db()
    assert task.status == AnswerTask.Status.DONE and task.callback_status == ""
