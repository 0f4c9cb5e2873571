"""Celery workers running in threads of the web process, for the embedded mode.

With the memory broker, tasks can only reach a worker in the same process; running it
here is also what lets the worker share the one process allowed to open Qdrant Edge.

Two workers, like the two worker processes of a deployment: one takes the indexing and
export queues, the other the answers, so a slow answer (a model or a callback that takes its
time) never holds an indexing back, nor the reverse. The answers worker has one slot; the
indexing worker one too, or two threads with INDEXING_PREPARE_AHEAD, so that it prepares
the next document while the current one embeds (`documents.indexing` lets one embed at a
time) — slower on the machines measured, since both threads take turns at the interpreter
lock.

The answers worker runs a Celery app of its own: a worker chooses its queues on its app
(`app.amqp.queues`), so two workers of one app would share one choice. The tasks are shared
ones and the memory broker's queues live in the process, so both apps reach both queues; the
worker steps added to the main app (the sweeps, the index check's timer) and the readiness
signal stay with the indexing worker.

`manage.py serve` also holds a lock on the data folder, so that commands run beside it know
a server's worker is there to index for them.
"""

import fcntl
import logging
import threading
from pathlib import Path
from typing import IO

from celery import Celery
from celery import current_app as celery_app
from celery.signals import worker_ready
from django.conf import settings

logger = logging.getLogger(__name__)

# Held (flock) by `manage.py serve` while it runs its workers on the data folder; the lock
# goes with the process, so a server killed leaves nothing stale behind.
SERVER_LOCK_NAME = "serve.lock"

_server_lock: IO[str] | None = None


def _server_lock_path() -> Path:
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    return settings.DATA_DIR / SERVER_LOCK_NAME


def claim_embedded_server() -> bool:
    """Mark this process, for as long as it lives, as the server of the data folder; False
    when another server holds it.

    Commands run beside it (`index_documents`, `sync_folder`) then leave the indexing to its
    worker: theirs could not open the Qdrant Edge store this process holds.
    """
    global _server_lock
    lock = _server_lock_path().open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return False
    _server_lock = lock
    return True


def embedded_server_running() -> bool:
    """Whether a `manage.py serve` with its embedded workers runs on this data folder."""
    with _server_lock_path().open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False


# The workers' loggers: Celery's writes two INFO lines per task ("Task … received",
# "Task … succeeded"), and its children ("celery.app.trace", …) go through "celery".
WORKER_LOGGERS = ("celery", "kombu")


def _answers_app() -> Celery:
    app = Celery("cassandre-answers", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.autodiscover_tasks()
    return app


def indexing_slots() -> int:
    """The indexing worker's slots: 2 when a document is prepared while another embeds."""
    return 2 if settings.INDEXING_PREPARE_AHEAD else 1


def _start_worker(
    app: Celery, *, name: str, queues: list[str], ready_callback, slots: int = 1
) -> threading.Thread:
    worker = app.WorkController(
        app=app,
        pool_cls="threads" if slots > 1 else "solo",
        concurrency=slots,
        queues=queues,
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        hostname=f"{name}@cassandre",
        ready_callback=ready_callback,
    )
    thread = threading.Thread(target=worker.start, name=f"celery-{name}", daemon=True)
    thread.start()
    return thread


def quiet_worker_log() -> None:
    """Keep only the workers' warnings and errors, for a command whose progress bar and
    summary already say what the per-task lines would."""
    for name in WORKER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def start_embedded_worker() -> list[threading.Thread]:
    """Start the indexing (and exports) worker and the answers worker; their threads."""
    threads = [
        _start_worker(
            celery_app,
            name="embedded-indexing",
            queues=[settings.INDEXING_QUEUE, settings.EXPORTS_QUEUE],
            slots=indexing_slots(),
            # Like a `celery worker` process, announce readiness: receivers of worker_ready
            # (re-queueing unfinished documents, for one) work the same in both modes.
            ready_callback=lambda consumer: worker_ready.send(sender=consumer),
        ),
        _start_worker(
            _answers_app(),
            name="embedded-answers",
            queues=[settings.ANSWERS_QUEUE],
            ready_callback=lambda consumer: None,
        ),
    ]
    logger.info("Embedded Celery workers started (memory broker): indexing, answers.")
    return threads
