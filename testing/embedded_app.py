"""Cassandre as the README's first command runs it: no variable, `manage.py serve` in its
own process, one data folder (SQLite, Qdrant Edge, files), the worker inside the server."""

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from testing.services import (
    BASE_DIR,
    free_port,
    port_open,
    python_command,
    start_process,
    stop_process,
    wait_until,
)


@dataclass
class EmbeddedApp:
    data_dir: Path
    env: dict[str, str]
    url: str = ""
    password: str = ""
    process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return self.data_dir / "serve.log"

    def manage(self, *args: str) -> str:
        """Run a management command on the same data folder; return what it printed."""
        result = subprocess.run(
            python_command("manage.py", *args),
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self) -> None:
        port = free_port()
        self.process = start_process(
            python_command("manage.py", "serve", "--port", str(port)),
            env=self.env,
            log_path=self.log,
        )
        wait_until(lambda: port_open(port), timeout=60, what="manage.py serve")
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


@contextmanager
def running_embedded_app(data_dir: Path) -> Iterator[EmbeddedApp]:
    """Set up (migrations, services, the administrator's printed password), then serve."""
    app = EmbeddedApp(
        data_dir=data_dir,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
            "CASSANDRE_DATA_DIR": str(data_dir),
        },
    )
    app.manage("migrate", "--noinput")
    app.manage("ensure_services")
    app.password = app.manage("create_superuser").split("generated password ")[1].split()[0]
    app.start()
    try:
        yield app
    finally:
        app.stop()
