"""The embedded default end to end: with no variable set, one process serves HTTP and runs
the Celery worker; an admin logs in with the printed password, uploads a document, the
worker inside the same process indexes it into Qdrant Edge, and a question asked over the
websocket is answered by the extractive provider (no language model is configured)."""

import asyncio
import json
import re
import sqlite3

import httpx
import pytest
import websockets

from testing.embedded_app import running_embedded_app
from testing.services import wait_until

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def embedded_app(tmp_path_factory):
    with running_embedded_app(tmp_path_factory.mktemp("embedded")) as app:
        yield {
            "url": app.url,
            "password": app.password,
            "data_dir": app.data_dir,
            "log": app.log,
            "manage": app.manage,
        }


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


def test_the_start_log_names_the_search_page_the_backoffice_and_the_admin(embedded_app):
    log = embedded_app["log"].read_text()
    assert "backoffice: /backoffice/" in log and "admin: /admin/" in log


def test_the_default_run_serves_its_static_files_without_debug(embedded_app):
    login_page = httpx.get(embedded_app["url"] + "/accounts/login/", timeout=10)
    stylesheet = re.search(r'href="(/static/[^"]+\.css)', login_page.text).group(1)
    response = httpx.get(embedded_app["url"] + stylesheet, timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")


def test_an_unknown_address_shows_the_french_404_page_without_the_url_patterns(embedded_app):
    response = httpx.get(embedded_app["url"] + "/nulle-part/", timeout=10)
    assert response.status_code == 404
    assert "Page introuvable" in response.text and 'href="/chat/search/"' in response.text
    assert "URLconf" not in response.text and "Traceback" not in response.text


def test_an_eleven_megabyte_sign_in_gets_a_short_page_without_settings_nor_traceback(
    embedded_app,
):
    with httpx.Client(base_url=embedded_app["url"], timeout=30) as client:
        token = csrf_token(client, "/accounts/login/")
        response = client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": "x" * (11 * 1024 * 1024)},
        )
    assert response.status_code == 413 and "Envoi trop volumineux" in response.text
    assert len(response.content) < 5000
    for technical in ("Traceback", "settings", "DATA_UPLOAD_MAX_MEMORY_SIZE", "Python"):
        assert technical not in response.text


def test_a_signed_in_user_who_is_not_staff_is_refused_the_backoffice_with_a_way_back(
    embedded_app,
):
    embedded_app["manage"](
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('lectrice', password='un-mot-de-passe-long')",
    )
    with httpx.Client(base_url=embedded_app["url"], timeout=10) as client:
        signed_in = client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": csrf_token(client, "/accounts/login/"),
                "username": "lectrice",
                "password": "un-mot-de-passe-long",
            },
        )
        assert signed_in.status_code == 302
        for address in ("/backoffice/", "/admin/"):
            response = client.get(address, follow_redirects=True)
            assert response.status_code == 403, address
            assert "Accès refusé" in response.text and 'href="/chat/search/"' in response.text
            assert 'name="password"' not in response.text


def test_a_visitor_opening_the_backoffice_is_sent_to_the_sign_in_page(embedded_app):
    response = httpx.get(embedded_app["url"] + "/backoffice/", timeout=10)
    assert response.status_code == 302
    assert response.headers["location"] == "/accounts/login/?next=/backoffice/"


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
