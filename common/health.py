"""Checks behind /healthz: one function per part, each raising when its part is down."""

import asyncio
import logging
import time
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.storage import default_storage
from django.db import connection

from ai.vectorstore import get_vector_store
from cassandre.celery import app as celery_app

logger = logging.getLogger(__name__)

CHANNEL_LAYER_TIMEOUT = 2.0


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)


def check_channel_layer() -> None:
    async_to_sync(_channel_layer_round_trip)()


async def _channel_layer_round_trip() -> None:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz", "token": token})
    message = await asyncio.wait_for(layer.receive(channel), CHANNEL_LAYER_TIMEOUT)
    if message.get("token") != token:
        raise RuntimeError("the channel layer returned another message")


def check_storage() -> None:
    default_storage.listdir("")


def check_vector_store() -> None:
    get_vector_store().ping()


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "channel_layer": check_channel_layer,
    "storage": check_storage,
    "vector_store": check_vector_store,
}


def run_checks() -> dict[str, dict[str, object]]:
    """The state of every part: {"database": {"status": "ok", "ms": 1.2}, ...}.

    A failing part reports only the exception's class to the (anonymous) caller; the
    details go to the log, where the operator looks.
    """
    results: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:
            logger.warning("Health check %s failed: %s", name, exc, exc_info=True)
            results[name] = {"status": "error", "error": type(exc).__name__}
        else:
            elapsed = round((time.perf_counter() - started) * 1000, 1)
            results[name] = {"status": "ok", "ms": elapsed}
    return results
