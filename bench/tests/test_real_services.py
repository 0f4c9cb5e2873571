from bench.real_services import (
    CACHE_DATABASE,
    CHANNEL_DATABASE,
    SERVICE_VARIABLES,
    deployment_mode,
    describe_mode,
    real_services_env,
)
from testing.seaweedfs import S3Server

S3 = S3Server(endpoint_url="http://127.0.0.1:15000", access_key="key", secret_key="secret")


def test_the_deployment_runs_on_the_scratch_database_redis_and_the_s3_server():
    env = real_services_env(database="bench_cassandre_7", s3=S3)

    assert env["DB_HOST"] == "127.0.0.1"
    assert env["DB_NAME"] == "bench_cassandre_7"
    assert env["CHANNEL_REDIS"] == f"redis://127.0.0.1:6379/{CHANNEL_DATABASE}"
    assert env["CACHE_REDIS"] == f"redis://127.0.0.1:6379/{CACHE_DATABASE}"
    assert env["MINIO_URL"] == "http://127.0.0.1:15000"
    assert env["MINIO_SECRET_ACCESS_KEY"] == "secret"


def test_the_redis_databases_are_none_the_tests_the_soak_or_the_browser_tests_use():
    assert {CHANNEL_DATABASE, CACHE_DATABASE}.isdisjoint({11, 12, 13, 14, 15})


def test_no_broker_is_set_so_the_worker_stays_in_the_web_process_with_the_store():
    env = real_services_env(database="bench_cassandre_7", s3=S3)

    assert "CELERY_BROKER_URL" not in env
    assert "QDRANT_URL" not in env
    assert "EDGE_STORE_PER_PROCESS" not in env


def test_an_embedded_measuring_process_unsets_every_variable_of_the_services():
    assert set(real_services_env(database="bench_cassandre_7", s3=S3)) <= set(SERVICE_VARIABLES)


def test_the_mode_records_what_each_part_ran_on():
    embedded = deployment_mode({})
    real = deployment_mode(real_services_env(database="bench_cassandre_7", s3=S3))

    assert embedded["name"] == "embedded"
    assert embedded["database"] == "SQLite"
    assert embedded["files"] == "local folder"
    assert real["name"] == "real services"
    assert real["database"] == "PostgreSQL, database bench_cassandre_7"
    assert real["channel_layer"] == f"Redis redis://127.0.0.1:6379/{CHANNEL_DATABASE}"
    assert real["files"] == "S3 (SeaweedFS)"
    assert real["worker"] == embedded["worker"] == "Celery, in the web process (memory broker)"
    assert real["vectors"] == "Qdrant Edge, in the web process"


def test_the_mode_reads_as_its_name_then_each_part():
    assert describe_mode({"name": "embedded", "database": "SQLite", "channel_layer": "memory"}) == (
        "embedded — database: SQLite; channel layer: memory"
    )
