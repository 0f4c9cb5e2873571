"""Helpers for tests that need real services: ports, processes, and skip-or-fail."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from testing.processes import BASE_DIR


def services_required() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, what: str) -> None:
    """Skip the test when `what` is unavailable, except on CI where that is a failure."""
    if available:
        return
    if services_required():
        pytest.fail(f"{what} is required when CI=true but is not available.")
    pytest.skip(f"{what} is not available on this machine.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"Timed out after {timeout}s waiting for {what}.")


def python_command(*args: str) -> list[str]:
    """A command line running this project's Python (the virtualenv's)."""
    return [sys.executable, *args]


def start_process(argv: list[str], *, env: Mapping[str, str], log_path: Path) -> subprocess.Popen:
    """Start a child process in the project folder, its output going to `log_path`."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            argv, cwd=BASE_DIR, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_daphne(
    *,
    env: Mapping[str, str],
    log_path: Path,
    proxy_headers: bool = False,
    port: int | None = None,
) -> Iterator[int]:
    """The ASGI app served by daphne in a child process on `port` or a free one; yields the
    port. `proxy_headers`: as the image runs it, behind nginx (X-Forwarded-For, -Proto)."""
    port = port or free_port()
    options = ["--proxy-headers"] if proxy_headers else []
    process = start_process(
        python_command(
            "-m",
            "daphne",
            *options,
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "cassandre.asgi:application",
        ),
        env=env,
        log_path=log_path,
    )
    try:
        wait_until(lambda: port_open(port), timeout=30, what="daphne")
        yield port
    finally:
        stop_process(process)


def run_python(
    code: str, *, settings_module: str, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter on `settings_module`, with only `env` set: how a
    process started with those variables sees its settings."""
    clean_env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": settings_module,
        "CASSANDRE_DATA_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
