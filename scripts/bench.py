#!/usr/bin/env python
"""`make bench`: ingestion, search, chat and memory at one corpus size, against references.

Renders the corpus (Debian man pages, cached under var/bench/), builds a scratch embedded
deployment in a temporary folder, measures it, prints a markdown table with every figure
beside the reference measured in the same run, and writes bench/results/<date>-<size>.json.

    .venv/bin/python scripts/bench.py [--size S|M|L] [--seed 1] [--search-requests 200]
        [--chat-levels 1,16,64] [--model-first-token-ms 200] [--model-token-ms 10] [--runs 3]
        [--real-services]

With --real-services, the deployment runs on a scratch PostgreSQL database, Redis and a
SeaweedFS S3 server (`bench.real_services`), and the file is <date>-<size>-real.json.

With --runs N, the whole benchmark runs N times, each on its own scratch deployment, and a
last table gives each figure's median (min-max) over the runs.

Size L ingests M, then copies what was indexed into more categories until the store holds
200,000 passages (`bench.scale`), and measures search and chat only. A check of that path
at a small scale: --size L --scale-base S --scale-passages 5000.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("S", "M", "L"), default="S")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--search-requests", type=int, default=200)
    parser.add_argument("--chat-levels", default="1,16,64")
    parser.add_argument("--chat-questions", type=int, default=3, help="Per conversation.")
    parser.add_argument("--model-first-token-ms", type=float, default=200)
    parser.add_argument("--model-token-ms", type=float, default=10)
    parser.add_argument("--results", type=Path, default=BASE_DIR / "bench" / "results")
    parser.add_argument("--keep", action="store_true", help="Keep the scratch deployment.")
    parser.add_argument("--runs", type=int, default=1, help="Paired runs, summed up as medians.")
    parser.add_argument(
        "--real-services",
        action="store_true",
        help="PostgreSQL, Redis and S3 instead of SQLite, memory and a local folder.",
    )
    parser.add_argument("--run-number", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--scale-base", choices=("S", "M"), default=None, help=argparse.SUPPRESS)
    parser.add_argument("--scale-passages", type=int, default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.runs == 1:
        run_once(arguments, number=arguments.run_number)
        return
    from bench.report import repeated_report, results_name

    # Each run in a process of its own: the settings (the scratch data folder) are read once
    # per process.
    runs = []
    for number in range(1, arguments.runs + 1):
        command = [sys.executable, __file__, *_without_runs(sys.argv[1:]), "--run-number"]
        subprocess.run([*command, str(number)], check=True)
        pattern = results_name(
            date="*", size=arguments.size, real_services=arguments.real_services, run=number
        )
        written = sorted(arguments.results.glob(pattern), key=lambda path: path.stat().st_mtime)
        runs.append(json.loads(written[-1].read_text()))

    print()
    print(repeated_report(runs))


def _without_runs(arguments: list[str]) -> list[str]:
    kept, skip = [], False
    for argument in arguments:
        if skip:
            skip = False
        elif argument == "--runs":
            skip = True
        elif not argument.startswith("--runs="):
            kept.append(argument)
    return kept


def run_once(arguments: argparse.Namespace, *, number: int | None = None) -> dict:
    """One whole benchmark on a scratch deployment of its own; its results."""
    folder = Path(tempfile.mkdtemp(prefix=f"cassandre-bench-{arguments.size}-"))
    try:
        with ExitStack() as services:
            services_env = {}
            if arguments.real_services:
                from bench.real_services import real_services

                services_env = services.enter_context(real_services(folder))
            results = _measure(arguments, folder=folder, services_env=services_env)
    finally:
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)
    from bench.report import markdown_report, write_results

    path = write_results(results, folder=arguments.results, run=number)
    print()
    print(markdown_report(results))
    print(f"\nResults: {path}")
    return results


def _measure(arguments: argparse.Namespace, *, folder: Path, services_env: dict) -> dict:
    from bench.real_services import SERVICE_VARIABLES

    # This process reads the deployment's database and, once it has stopped, its files and
    # vectors: the same data folder, the same services (none of the shell's), the same settings.
    for name in SERVICE_VARIABLES:
        os.environ.pop(name, None)
    os.environ |= services_env | {
        "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
        "CASSANDRE_DATA_DIR": str(folder / "data"),
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    import django

    django.setup()

    from django.db import connections

    from bench.deployment import ModelLatency
    from bench.run import BenchOptions, run_bench
    from bench.scale import SCALED_SIZES
    from common.services import ensure_storage_ready

    scale = SCALED_SIZES.get(arguments.size)
    if scale is not None:
        scale = replace(
            scale,
            base=arguments.scale_base or scale.base,
            passages=arguments.scale_passages or scale.passages,
        )

    options = BenchOptions(
        size=arguments.size,
        seed=arguments.seed,
        search_requests=arguments.search_requests,
        chat_levels=tuple(int(level) for level in arguments.chat_levels.split(",")),
        chat_questions_per_conversation=arguments.chat_questions,
        model=ModelLatency(arguments.model_first_token_ms, arguments.model_token_ms),
        cache=BASE_DIR / "var" / "bench",
        scale=scale,
    )
    # The S3 bucket, before the deployment seeds its first document into it.
    ensure_storage_ready()
    try:
        return run_bench(
            options,
            folder=folder,
            say=lambda line: print(line, flush=True),
            services_env=services_env,
        )
    finally:
        # Before the scratch database is dropped.
        connections.close_all()


if __name__ == "__main__":
    main()
