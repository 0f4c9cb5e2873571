#!/usr/bin/env python
"""Search API latency on embedded defaults, end to end (HTTP in, JSON out).

Builds a scratch deployment (SQLite, Qdrant Edge) in a temporary folder, writes N
synthetic passages (20,000 by default: embedding them takes a few minutes), starts
`manage.py serve` on it and times sequential GET /api/search requests.

    .venv/bin/python scripts/measure_search_latency.py [--chunks 20000] [--requests 300]
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from testing.processes import manage  # noqa: E402 (after the project joins the path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def sample_questions(count: int, *, seed: int = 11) -> list[str]:
    from testing.sample_corpus import TOPICS

    rng = random.Random(seed)
    subjects = [subject for subjects in TOPICS.values() for subject in subjects]
    shapes = [
        "Quel est le délai pour {s} ?",
        "Qui contacter à propos de {s} ?",
        "Comment faire une demande de {s} ?",
        "{s} : quels justificatifs ?",
        "Quelles sont les règles de {s} depuis 2024 ?",
    ]
    return [rng.choice(shapes).format(s=rng.choice(subjects)) for _ in range(count)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def scratch_env(data_dir: str, **variables: str) -> dict[str, str]:
    """The environment of a scratch embedded deployment living in `data_dir`."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": data_dir,
        "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
        "CASSANDRE_DATA_DIR": data_dir,
        "LOG_LEVEL": "WARNING",
        **variables,
    }


@contextmanager
def serving_seeded_deployment(
    *, chunks: int, env: dict[str, str], setup: Sequence[Sequence[str]] = ()
) -> Iterator[tuple[int, tuple[str, str], Path]]:
    """Migrate, run the `setup` commands, write `chunks` synthetic passages and serve.

    Yields the port, the seeded (category slug, API token) and the server's log file.
    """
    manage("migrate", "--noinput", env=env, timeout=None)
    for command in setup:
        manage(*command, env=env, timeout=None)
    started = time.monotonic()
    seeded = manage(
        "shell",
        "-c",
        "from bench.search_corpus import seed_search_corpus; "
        f"print(seed_search_corpus(chunks={chunks}))",
        env=env,
        timeout=None,
    )
    category, token = seeded.split()[-2:]
    print(f"{chunks} passages written in {time.monotonic() - started:.0f} s")
    port = free_port()
    server_log = Path(env["CASSANDRE_DATA_DIR"]) / "serve.log"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=BASE_DIR,
        env=env,
        stdout=server_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", timeout=60)
        yield port, (category, token), server_log
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--limit", type=int, default=5)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as data_dir:
        env = scratch_env(data_dir)
        with serving_seeded_deployment(chunks=arguments.chunks, env=env) as deployment:
            port, (category, token), server_log = deployment
            questions = sample_questions(arguments.requests)
            headers = {"Authorization": f"Token {token}"}
            latencies = []
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
                for number, question in enumerate([*questions[:10], *questions]):
                    params = {"q": question, "category": category, "limit": arguments.limit}
                    sent = time.perf_counter()
                    response = client.get("/api/search", params=params, timeout=30)
                    elapsed = (time.perf_counter() - sent) * 1000
                    if response.status_code != 200:
                        sys.exit(f"HTTP {response.status_code}:\n{server_log.read_text()[-3000:]}")
                    assert response.json()["results"], question
                    if number >= 10:  # the first ten warm the process up
                        latencies.append(elapsed)

    print(
        f"search API, {arguments.chunks} passages, {len(latencies)} requests: "
        f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
        f"max {max(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
