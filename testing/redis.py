"""A Redis server of the test's own, which it may stop and start again to play an outage.

Never the shared Redis on 6379: other runs use it at the same time.
"""

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import current_app as celery_app

from testing.services import free_port, port_open, start_process, stop_process, wait_until


def redis_binary() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    """`redis-server` on 127.0.0.1, without persistence; same port after a restart."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        binary = redis_binary()
        if binary is None:
            raise FileNotFoundError("redis-server is not installed.")
        no_persistence = ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = start_process(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", *no_persistence],
            env={},
            log_path=self.log_dir / f"redis-{self.port}.log",
        )
        wait_until(lambda: port_open(self.port), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None
        wait_until(lambda: not port_open(self.port), timeout=10, what="redis-server to stop")


@contextmanager
def celery_publishing_to(url: str) -> Iterator[None]:
    """This process's Celery app sends its tasks to `url` instead of the configured broker.

    Celery reads its settings once (and CELERY_BROKER_URL from the environment first) and
    keeps a pool of connections: the write URL, which it reads before both, and the pool
    are swapped here.
    """
    _repoint(url)
    try:
        yield
    finally:
        _repoint(None)


def _repoint(url: str | None) -> None:
    # kombu keeps one pool per broker URL for the whole process: forget ours, never close it.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.broker_write_url = url
