"""What dev_settings gives the dev profile's containers.

The SECRET_KEY it keeps in the data folder is made once, even when several processes (web
and worker) start together on it; runserver logs no URL, which could hold a question.
"""

import logging
import threading
from pathlib import Path

import pytest
from daphne.management.commands.runserver import Command as RunserverCommand

from cassandre import dev_settings
from cassandre.dev_settings import persistent_secret_key


@pytest.fixture
def folder(tmp_path) -> Path:
    """A data folder not made yet, of its own (tmp_path also holds the test's media)."""
    return tmp_path / "data"


def test_the_first_start_makes_a_key_that_only_its_owner_can_read(folder):
    path = folder / "secret_key"

    key = persistent_secret_key(path)

    assert len(key) >= 50
    assert path.read_text() == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(path.parent.iterdir()) == [path]


def test_a_key_already_there_is_kept(folder):
    path = folder / "secret_key"
    folder.mkdir()
    path.write_text("the-key-of-the-first-start\n")

    assert persistent_secret_key(path) == "the-key-of-the-first-start"
    assert persistent_secret_key(path) == "the-key-of-the-first-start"


def test_starts_at_the_same_time_all_end_with_one_key(folder):
    path, starts = folder / "secret_key", 8
    barrier, keys = threading.Barrier(starts), []

    def start() -> None:
        barrier.wait()
        keys.append(persistent_secret_key(path))

    threads = [threading.Thread(target=start) for _ in range(starts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(keys) == starts
    assert set(keys) == {path.read_text()}
    assert list(folder.iterdir()) == [path]


def test_a_start_that_loses_the_race_reads_back_the_winners_key(folder, monkeypatch):
    path = folder / "secret_key"

    def key_while_the_other_container_writes_its_own(nbytes: int) -> str:
        # The other start checked, wrote and linked its key between this one's check and
        # its link.
        folder.mkdir()
        path.write_text("the-winners-key")
        return "the-losers-key"

    monkeypatch.setattr(
        dev_settings.secrets, "token_urlsafe", key_while_the_other_container_writes_its_own
    )

    assert persistent_secret_key(path) == "the-winners-key"
    assert list(folder.iterdir()) == [path]


def test_the_dev_web_server_logs_no_request_url_that_could_hold_a_question(caplog):
    details = {"method": "GET", "path": "/api/search?q=mon+arrêt+maladie", "status": 200}
    details |= {"client": "127.0.0.1:50000", "time_taken": 0.01, "size": 10}

    with caplog.at_level(logging.DEBUG):
        RunserverCommand().log_action("http", "complete", details)

    assert "maladie" not in caplog.text
