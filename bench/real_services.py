"""The benchmark's real-services mode: the served Cassandre on PostgreSQL, Redis and S3.

What changes from the embedded default: a scratch PostgreSQL database instead of SQLite,
Redis for the channel layer and the cache instead of memory, a SeaweedFS S3 server for the
uploaded files instead of a local folder. What stays: the Celery worker runs inside the web
process on the memory broker, and writes into that process's Qdrant Edge store. Qdrant Edge
opens in one process only and no Qdrant server runs here; a separate worker would index into
a store of its own that no search reads (the soak's arrangement), so the bench keeps one
store owner and measures searches over everything it uploaded.

The measuring process gets the same variables: it reads the deployment's database while it
serves, and its files and vectors once it has stopped (`bench.run`). So these services
outlive the server, and are dropped (database), flushed (Redis) and stopped (S3) last.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from testing.seaweedfs import S3Server, running_seaweedfs

POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379"
# Not the test suite's (15, 14), the soak's (12, 13) nor the browser tests' (11).
CHANNEL_DATABASE, CACHE_DATABASE = 9, 10
S3_BUCKET = "cassandre-bench"
# The modes' names, as the results record them.
EMBEDDED, REAL_SERVICES = "embedded", "real services"


# What `real_services_env` sets; the measuring process of an embedded run unsets them.
SERVICE_VARIABLES = (
    "DB_HOST",
    "DB_PORT",
    "DB_USER",
    "DB_PASSWORD",
    "DB_NAME",
    "CHANNEL_REDIS",
    "CACHE_REDIS",
    "MINIO_URL",
    "MINIO_ACCESS_KEY_ID",
    "MINIO_SECRET_ACCESS_KEY",
    "MINIO_STORAGE_BUCKET_NAME",
)


class ServicesBusy(RuntimeError):
    """A Redis database the bench would use already holds keys: another program uses it."""


def real_services_env(*, database: str, s3: S3Server) -> dict[str, str]:
    """The variables that put a deployment (and the measuring process) on the services."""
    return {
        "DB_HOST": POSTGRES["host"],
        "DB_PORT": str(POSTGRES["port"]),
        "DB_USER": POSTGRES["user"],
        "DB_NAME": database,
        "CHANNEL_REDIS": f"{REDIS_URL}/{CHANNEL_DATABASE}",
        "CACHE_REDIS": f"{REDIS_URL}/{CACHE_DATABASE}",
        "MINIO_URL": s3.endpoint_url,
        "MINIO_ACCESS_KEY_ID": s3.access_key,
        "MINIO_SECRET_ACCESS_KEY": s3.secret_key,
        "MINIO_STORAGE_BUCKET_NAME": S3_BUCKET,
    }


def deployment_mode(env: Mapping[str, str]) -> dict[str, str]:
    """What the deployment set up by `env` runs on, as the results record it."""
    real = bool(env.get("DB_HOST"))
    return {
        "name": REAL_SERVICES if real else EMBEDDED,
        "database": f"PostgreSQL, database {env['DB_NAME']}" if real else "SQLite",
        "channel_layer": f"Redis {env['CHANNEL_REDIS']}" if env.get("CHANNEL_REDIS") else "memory",
        "cache": f"Redis {env['CACHE_REDIS']}" if env.get("CACHE_REDIS") else "memory",
        "files": "S3 (SeaweedFS)" if env.get("MINIO_URL") else "local folder",
        "worker": "Celery, in the web process (memory broker)",
        "vectors": "Qdrant Edge, in the web process",
    }


def describe_mode(mode: Mapping[str, str]) -> str:
    """One line for the report: the mode's name, then what runs on what."""
    details = (f"{key.replace('_', ' ')}: {value}" for key, value in mode.items() if key != "name")
    return f"{mode['name']} — " + "; ".join(details)


@contextmanager
def real_services(folder: Path) -> Iterator[dict[str, str]]:
    """A scratch database, two empty Redis databases and an S3 server in `folder`; their
    variables. All dropped, flushed and stopped afterwards."""
    database = f"bench_cassandre_{os.getpid()}"
    _claim_redis()
    with running_seaweedfs(folder / "s3") as s3:
        _execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _execute(f'CREATE DATABASE "{database}"')
        try:
            yield real_services_env(database=database, s3=s3)
        finally:
            _execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            _flush_redis()


def _execute(statement: str) -> None:
    import psycopg

    with psycopg.connect(
        **POSTGRES, dbname="postgres", connect_timeout=5, autocommit=True
    ) as connection:
        connection.execute(statement)


def _redis(number: int):
    import redis

    return redis.Redis.from_url(f"{REDIS_URL}/{number}", socket_connect_timeout=3)


def _claim_redis() -> None:
    for number in (CHANNEL_DATABASE, CACHE_DATABASE):
        if _redis(number).dbsize():
            raise ServicesBusy(f"Redis database {number} is not empty: another program uses it.")


def _flush_redis() -> None:
    for number in (CHANNEL_DATABASE, CACHE_DATABASE):
        _redis(number).flushdb()
