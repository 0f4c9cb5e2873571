"""The embedded default end to end: with no variable set, one process serves HTTP and runs
the Celery worker; an admin logs in with the printed password, uploads a document, the
worker inside the same process indexes it into Qdrant Edge, and a question asked over the
websocket is answered by the extractive provider (no language model is configured)."""

import asyncio
import json
import os
import re
import sqlite3
import subprocess

import httpx
import pytest
import websockets

from testing.services import (
    BASE_DIR,
    free_port,
    port_open,
    python_command,
    start_process,
    stop_process,
    wait_until,
)

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("embedded")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
        "CASSANDRE_DATA_DIR": str(data_dir),
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
    password = manage("create_superuser").split("generated password ")[1].split()[0]
    port = free_port()
    process = start_process(
        python_command("manage.py", "serve", "--port", str(port)),
        env=env,
        log_path=data_dir / "serve.log",
    )
    try:
        wait_until(lambda: port_open(port), timeout=60, what="manage.py serve")
        yield {"url": f"http://127.0.0.1:{port}", "password": password, "data_dir": data_dir}
    finally:
        stop_process(process)


def csrf_token(client: httpx.Client, path: str) -> str:
    return CSRF_FIELD.search(client.get(path).text).group(1)


def test_healthz_reports_every_embedded_part_ok(embedded_app):
    response = httpx.get(embedded_app["url"] + "/healthz", timeout=10)
    assert response.status_code == 200
    assert {part["status"] for part in response.json()["checks"].values()} == {"ok"}


def test_the_home_page_sends_visitors_to_the_login_page(embedded_app):
    home = httpx.get(embedded_app["url"] + "/", timeout=10, follow_redirects=True)
    assert home.status_code == 200
    assert "/login/" in str(home.url) and "Cassandre" in home.text


def test_an_upload_is_indexed_in_process_and_answered_without_a_language_model(embedded_app):
    with httpx.Client(base_url=embedded_app["url"], timeout=10) as client:
        login = client.post(
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": csrf_token(client, "/admin/login/"),
                "username": "admin",
                "password": embedded_app["password"],
                "next": "/admin/",
            },
        )
        assert login.status_code == 302 and login.headers["location"] == "/admin/"

        client.post(
            "/admin/documents/category/add/",
            data={
                "csrfmiddlewaretoken": csrf_token(client, "/admin/documents/category/add/"),
                "name": "Ressources humaines",
                "visibility": "internal",
                "system_prompt": "Contexte : {context}\nQuestion : {question}",
                "k": "5",
                "documents-TOTAL_FORMS": "0",
                "documents-INITIAL_FORMS": "0",
            },
        )
        upload = client.post(
            "/admin/documents/document/add/",
            data={
                "csrfmiddlewaretoken": csrf_token(client, "/admin/documents/document/add/"),
                "category": "1",
                "title": "Guide",
            },
            files={"file": ("guide.txt", "Les congés se posent en ligne.".encode())},
        )
        assert upload.status_code == 302, upload.text[:2000]
        session = client.cookies["sessionid"]

    database = embedded_app["data_dir"] / "db.sqlite3"

    def indexed_by_the_in_process_worker() -> bool:
        with sqlite3.connect(database) as db:
            row = db.execute("SELECT status, chunk_count FROM documents_document").fetchone()
        return row == ("indexed", 1)

    wait_until(indexed_by_the_in_process_worker, timeout=30, what="the embedded worker")

    answer = asyncio.run(
        ask_over_the_websocket(embedded_app["url"], session, "Comment poser des congés ?")
    )
    sources, *_, done = answer
    assert sources["sources"][0]["title"] == "Guide"
    assert done["type"] == "done" and done["outcome"] == "extractive"
    assert done["answer"].startswith("*Réponse extractive")
    assert "Les congés se posent en ligne. [1]" in done["answer"]


async def ask_over_the_websocket(url: str, session: str, question: str) -> list[dict]:
    socket_url = url.replace("http://", "ws://") + "/ws/chat/"
    headers = {"Cookie": f"sessionid={session}"}
    async with websockets.connect(socket_url, origin=url, additional_headers=headers) as socket:
        await socket.send(json.dumps({"type": "ask", "question": question, "category": ""}))
        messages = []
        while not messages or messages[-1]["type"] not in ("done", "error"):
            messages.append(json.loads(await asyncio.wait_for(socket.recv(), 30)))
        return messages
