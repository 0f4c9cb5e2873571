"""The embedded vector store deleted under the running server (a folder removed by hand, a
volume lost): `/healthz` says so at once, and the next start indexes the documents again."""

import shutil
import sqlite3

import httpx

from testing.embedded_app import running_embedded_app
from testing.services import wait_until

NOTE = "Les congés annuels se posent dans l'application RH, au moins un mois avant."


def healthz(url: str) -> httpx.Response:
    return httpx.get(f"{url}/healthz", timeout=30)


def indexed_documents(app) -> list[tuple[str, int]]:
    with sqlite3.connect(app.data_dir / "db.sqlite3") as database:
        return database.execute("SELECT status, chunk_count FROM documents_document").fetchall()


def test_a_store_deleted_under_the_running_server_is_reported_then_indexed_again(tmp_path):
    shared = tmp_path / "partage"
    shared.mkdir()
    (shared / "conges.txt").write_text(NOTE)
    with running_embedded_app(tmp_path / "data") as app:
        app.stop()
        app.manage("index_documents", str(shared), "--category", "RH", "--create-category")
        app.start()
        wait_until(lambda: healthz(app.url).status_code == 200, timeout=120, what="indexed")
        assert indexed_documents(app) == [("indexed", 1)]

        shutil.rmtree(app.data_dir / "qdrant")

        response = healthz(app.url)
        assert response.status_code == 503
        assert response.json()["checks"]["passages"] == {
            "status": "error",
            "error": "PassagesMissing",
        }

        app.stop()
        app.start()
        wait_until(
            lambda: indexed_documents(app) == [("indexed", 1)],
            timeout=120,
            what="the lost document indexed again at start",
        )
        assert healthz(app.url).status_code == 200
