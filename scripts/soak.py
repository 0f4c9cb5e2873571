#!/usr/bin/env python
"""Soak test: a scratch Cassandre under concurrent searches, chats and uploads.

Builds a deployment in a temporary folder (embedded defaults, or PostgreSQL + Redis + a
separate Celery worker with --real-services), seeds it with sample documents, serves it on
127.0.0.1 and loads it for --duration seconds. Prints requests, errors and p50/p95 latency
per kind, what became of every uploaded document, and the server's (and worker's) VmRSS at
start, peak and end. Exits with status 1 on any error, lost document or memory growth over
--max-rss-growth.

    .venv/bin/python scripts/soak.py [--duration 60] [--searchers 2] [--chatters 2]
        [--uploaders 1] [--real-services] [--extractive]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.soak import DeploymentOptions, SetupFailed, SoakOptions, format_report, run_soak


def options_from(arguments: argparse.Namespace) -> SoakOptions:
    return SoakOptions(
        seconds=arguments.duration,
        searchers=arguments.searchers,
        chatters=arguments.chatters,
        uploaders=arguments.uploaders,
        drain_seconds=arguments.drain,
        max_rss_growth_mb=arguments.max_rss_growth or None,
        keep_folder=arguments.keep,
        deployment=DeploymentOptions(
            real_services=arguments.real_services,
            seed_documents=arguments.seed_documents,
            model_delays=None if arguments.extractive else (0.05, 0.005),
            postgres_host=arguments.postgres_host,
            postgres_user=arguments.postgres_user,
            redis_url=arguments.redis_url,
            redis_databases=tuple(arguments.redis_databases),
            qdrant_url=arguments.qdrant_url,
            extra_env=tuple(tuple(pair.split("=", 1)) for pair in arguments.env),
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60, help="Seconds of load.")
    parser.add_argument("--searchers", type=int, default=2)
    parser.add_argument("--chatters", type=int, default=2)
    parser.add_argument("--uploaders", type=int, default=1)
    parser.add_argument(
        "--drain", type=float, default=120, help="Seconds the last uploads have to finish."
    )
    parser.add_argument(
        "--max-rss-growth",
        type=float,
        default=300,
        metavar="MB",
        help="Fail when a process grows more than this from start to end (0: no limit).",
    )
    parser.add_argument("--seed-documents", type=int, default=30)
    parser.add_argument(
        "--extractive", action="store_true", help="No language model: extractive answers."
    )
    parser.add_argument("--keep", action="store_true", help="Keep the deployment's folder.")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="A variable for the deployment, over the soak's own (repeatable).",
    )
    services = parser.add_argument_group("real services")
    services.add_argument(
        "--real-services",
        action="store_true",
        help="PostgreSQL + Redis + a separate Celery worker instead of the embedded defaults.",
    )
    services.add_argument("--postgres-host", default="127.0.0.1")
    services.add_argument("--postgres-user", default="postgres")
    services.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    services.add_argument(
        "--redis-databases",
        type=int,
        nargs=2,
        default=[12, 13],
        metavar=("BROKER", "CHANNELS"),
        help="Empty Redis databases for the broker and for the channel layer and cache.",
    )
    services.add_argument(
        "--qdrant-url",
        default="",
        help="A Qdrant server shared by web and worker (else each has its own Qdrant Edge).",
    )
    options = options_from(parser.parse_args())
    try:
        report = run_soak(options)
    except SetupFailed as error:
        sys.exit(f"The soak could not start: {error}")
    print(format_report(report))
    if not report.passed:
        print(report.log_tail)
        sys.exit(1)


if __name__ == "__main__":
    main()
