"""`index_documents` run while the embedded server (`./start_all.sh run`) is up.

Found by an outside test (2026-12): the command started its own worker, which could not
open the Qdrant Edge store the server holds; it retried until stopped, and the documents
stayed pending until the server restarted. Now the command leaves them to the server's
worker and says so, and they are indexed with nobody restarting anything.
"""

import os
import sqlite3
import subprocess

import httpx
import pytest

from testing.services import (
    BASE_DIR,
    free_port,
    python_command,
    start_process,
    stop_process,
    wait_until,
)

pytestmark = pytest.mark.timeout(600)

# The server's worker looks for such documents every PENDING_SWEEP_INTERVAL seconds (60 by
# default, 5 here).
INDEXING_TIMEOUT = 240
COMMAND_TIMEOUT = 120


@pytest.fixture
def embedded_server(tmp_path):
    """`manage.py serve` with no variable set, as `./start_all.sh run` starts it, holding a
    category with one indexed document (so the server has its vector store open)."""
    data_dir = tmp_path / "data"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
        "CASSANDRE_DATA_DIR": str(data_dir),
        "PENDING_SWEEP_INTERVAL": "5",
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            python_command("manage.py", *args),
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )

    first = tmp_path / "conges.txt"
    first.write_text("Les congés se posent en ligne sur le portail.")
    for args in (
        ("migrate", "--noinput"),
        ("ensure_services",),
        ("index_documents", str(first), "--category", "RH", "--create-category"),
    ):
        result = manage(*args)
        assert result.returncode == 0, result.stdout + result.stderr
    port = free_port()
    log = tmp_path / "serve.log"
    process = start_process(
        python_command("manage.py", "serve", "--port", str(port)), env=env, log_path=log
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, timeout=120, what="manage.py serve")
        yield {"url": url, "manage": manage, "database": data_dir / "db.sqlite3"}
    finally:
        stop_process(process)
        print("serve log:\n" + log.read_text(errors="replace"))


def test_documents_given_to_index_documents_beside_the_server_are_indexed_by_it(
    embedded_server, tmp_path
):
    second = tmp_path / "teletravail.txt"
    second.write_text("Le télétravail est possible deux jours par semaine.")

    result = embedded_server["manage"]("index_documents", str(second), "--category", "RH")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 document(s) handed to the running server" in result.stdout
    assert "its worker indexes them" in result.stdout

    def indexed() -> bool:
        with sqlite3.connect(embedded_server["database"]) as db:
            row = db.execute(
                "SELECT status FROM documents_document WHERE original_filename = ?",
                ("teletravail.txt",),
            ).fetchone()
        return row == ("indexed",)

    wait_until(indexed, timeout=INDEXING_TIMEOUT, what="the server's worker")
    health = httpx.get(embedded_server["url"] + "/healthz", timeout=10).json()
    assert health["checks"]["passages"]["passages"] == 2
