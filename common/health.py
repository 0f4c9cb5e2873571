"""Checks behind /healthz: one function per part, each raising when its part is down.

This module checks the parts every app shares (database, broker, channel layer, storage);
an app adds the checks of the parts it owns with `register_check` (the ai app: the vector
store and the language model).

The checks run side by side, each given CHECK_TIMEOUT seconds: /healthz answers within
that time even when a part hangs (a firewalled host, a stuck server) instead of waiting for
every client's own timeout in turn.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from asgiref.sync import async_to_sync
from celery import current_app as celery_app
from channels.layers import get_channel_layer
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 1.5
CHANNEL_LAYER_TIMEOUT = 1.0
# Bounded: hammering /healthz while a part hangs queues checks (reported as timeouts)
# instead of piling up threads.
_executor = ThreadPoolExecutor(max_workers=12, thread_name_prefix="healthz")

Details = dict[str, object]
Check = Callable[[], Details | None]


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # this thread's own connection


def check_broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=CHECK_TIMEOUT)


def check_channel_layer() -> None:
    async_to_sync(_channel_layer_round_trip)()


async def _channel_layer_round_trip() -> None:
    async with asyncio.timeout(CHANNEL_LAYER_TIMEOUT):
        layer = get_channel_layer()
        channel = await layer.new_channel("healthz.")
        token = uuid.uuid4().hex
        await layer.send(channel, {"type": "healthz", "token": token})
        message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("the channel layer returned another message")


def check_storage() -> None:
    default_storage.listdir("")


CHECKS: dict[str, Check] = {
    "database": check_database,
    "broker": check_broker,
    "channel_layer": check_channel_layer,
    "storage": check_storage,
}


def register_check(name: str, check: Check) -> None:
    """Add the check of a part an app owns; its AppConfig.ready calls this."""
    CHECKS[name] = check


def run_checks() -> dict[str, Details]:
    """The state of every part: {"database": {"status": "ok", "ms": 1.2}, ...}.

    A failing part reports only a short reason to the (anonymous) caller: the exception's
    class, or "Timeout"; the details go to the log, where the operator looks.
    """
    futures = {name: _executor.submit(_timed, name, check) for name, check in CHECKS.items()}
    deadline = time.monotonic() + CHECK_TIMEOUT
    results: dict[str, Details] = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            logger.warning("Health check %s gave no answer within %s s.", name, CHECK_TIMEOUT)
            results[name] = {"status": "error", "error": "Timeout"}
    return results


def _timed(name: str, check: Check) -> Details:
    started = time.perf_counter()
    try:
        details = check() or {}
    except Exception as exc:
        logger.warning("Health check %s failed: %s", name, exc, exc_info=True)
        return {"status": "error", "error": type(exc).__name__}
    elapsed = round((time.perf_counter() - started) * 1000, 1)
    return {"status": "ok", "ms": elapsed, **details}
