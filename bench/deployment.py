"""The Cassandre under measure: the soak's scratch deployment, with the bench's model.

Embedded defaults (SQLite, the Celery worker inside the web process, Qdrant Edge), served
by `manage.py serve` in a process of its own; its language model is `bench.model_server`
in another process. The measuring process reads the deployment's SQLite database (WAL:
readers do not block the server) and, once the server has stopped, opens its vector store.
With --real-services, `bench.real_services` gives both processes the variables of a
PostgreSQL database, Redis and an S3 server instead; the worker stays in the web process.
"""

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.model_server import API_KEY
from bench.soak.deployment import Deployment, DeploymentOptions
from testing.processes import BASE_DIR


@dataclass(frozen=True)
class ModelLatency:
    first_token_ms: float
    token_ms: float


@contextmanager
def model_server(latency: ModelLatency) -> Iterator[str]:
    """Start `bench.model_server`; yield its base URL; stop it."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.model_server",
            "--first-token-ms",
            str(latency.first_token_ms),
            "--token-ms",
            str(latency.token_ms),
        ],
        cwd=BASE_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        if not base_url.startswith("http://"):
            raise RuntimeError("The bench's model server did not start.")
        yield base_url
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def data_dir(folder: Path) -> Path:
    """Where the deployment built in `folder` keeps its database, files and vectors."""
    return folder / "data"


@contextmanager
def serving(
    folder: Path,
    *,
    model_url: str,
    extra_env: dict[str, str],
    again: bool = False,
    documents: int = 1,
    code_dir: Path = BASE_DIR,
) -> Iterator[Deployment]:
    """A scratch Cassandre in `folder`, served, its model at `model_url`, seeded with
    `documents` of the sample corpus; `again`: the one served there before, on the data it
    left (nothing seeded a second time); `code_dir`: the checkout whose code is served."""
    env = {
        "LLM_PROVIDER": "compatible",
        "LLM_API_BASE": model_url,
        "LLM_API_KEY": API_KEY,
        "LLM_MODEL": "bench-model",
        **extra_env,
    }
    options = DeploymentOptions(
        # The soak's deployment seeds a category of its own; one document keeps that short.
        seed_documents=0 if again else documents,
        model_delays=None,
        extra_env=tuple(env.items()),
        code_dir=code_dir,
    )
    with Deployment(options, folder, say=lambda line: None) as deployment:
        yield deployment
