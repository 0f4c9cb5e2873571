"""Which process is the data folder's embedded server: `manage.py serve` holds a lock on it
while it lives, and the commands run beside it look at that lock."""

import subprocess
import sys

import pytest

from common import embedded_worker
from common.embedded_worker import (
    SERVER_LOCK_NAME,
    claim_embedded_server,
    embedded_server_running,
)
from testing.services import wait_until

HOLD_THE_LOCK = """
import fcntl, sys, time
lock = open(sys.argv[1], "a")
fcntl.flock(lock, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(600)
"""


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def server_in_another_process(data_dir):
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(data_dir / SERVER_LOCK_NAME)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    yield process
    process.kill()
    process.wait()


def test_no_server_runs_on_a_fresh_data_folder(data_dir):
    assert not embedded_server_running()


def test_a_command_sees_the_server_running_on_its_data_folder(server_in_another_process):
    assert embedded_server_running()


def test_a_killed_server_leaves_no_stale_lock(server_in_another_process):
    server_in_another_process.kill()
    wait_until(lambda: not embedded_server_running(), timeout=10, what="the lock's release")


def test_a_second_server_on_the_same_data_folder_is_refused(server_in_another_process):
    assert not claim_embedded_server()


def test_the_server_claims_a_free_data_folder(data_dir):
    try:
        assert claim_embedded_server()
        assert (data_dir / SERVER_LOCK_NAME).exists()
    finally:
        embedded_worker._server_lock.close()
        embedded_worker._server_lock = None


@pytest.mark.parametrize(("ahead", "slots"), [(True, 2), (False, 1)])
def test_the_indexing_worker_has_a_second_slot_to_prepare_ahead(settings, ahead, slots):
    settings.INDEXING_PREPARE_AHEAD = ahead
    assert embedded_worker.indexing_slots() == slots
