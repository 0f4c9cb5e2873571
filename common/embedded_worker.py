"""A Celery worker running in a thread of the web process, for the embedded mode.

With the memory broker, tasks can only reach a worker in the same process; running it
here is also what lets the worker share the one process allowed to open Qdrant Edge.
"""

import logging
import threading

from celery import current_app as celery_app
from celery.signals import worker_ready

logger = logging.getLogger(__name__)


def start_embedded_worker() -> threading.Thread:
    worker = celery_app.WorkController(
        app=celery_app,
        pool_cls="solo",
        concurrency=1,
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        hostname="embedded@cassandre",
        # Like a `celery worker` process, announce readiness: receivers of worker_ready
        # (re-queueing unfinished documents, for one) work the same in both modes.
        ready_callback=lambda consumer: worker_ready.send(sender=consumer),
    )
    thread = threading.Thread(target=worker.start, name="celery-embedded", daemon=True)
    thread.start()
    logger.info("Embedded Celery worker started (memory broker).")
    return thread
