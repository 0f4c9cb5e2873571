"""Which services each settings module picks, read in a fresh interpreter per case."""

import json
import re
import subprocess
import sys

import pytest
from django.conf import settings

from testing.services import run_python

PRINT_CHOICES = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "database": settings.DATABASES["default"]["ENGINE"],
    "broker": settings.CELERY_BROKER_URL,
    "embedded_worker": settings.EMBEDDED_WORKER,
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "storage": settings.STORAGES["default"]["BACKEND"],
    "qdrant_url": settings.QDRANT_URL,
    "debug": settings.DEBUG,
    "chunk_size": settings.SPLIT_CHUNK_SIZE,
}))
"""

SERVICE_ENV = {
    "DB_HOST": "db.example.internal",
    "DB_NAME": "cassandre",
    "DB_USER": "cassandre",
    "DB_PASSWORD": "a-database-password",
    "CELERY_BROKER_URL": "redis://redis.example.internal:6379/0",
    "CHANNEL_REDIS": "redis://redis.example.internal:6379/1",
    "QDRANT_URL": "http://qdrant.example.internal:6333",
    "MINIO_URL": "http://minio.example.internal:9000",
    "MINIO_ACCESS_KEY_ID": "cassandre",
    "MINIO_SECRET_ACCESS_KEY": "a-minio-secret",
    "MINIO_STORAGE_BUCKET_NAME": "cassandre",
}
PROD_ENV = {
    **SERVICE_ENV,
    "SECRET_KEY": "x7#pQ2!vL9@mZ4$wK8^rT1&yN6*bH3(cJ5)dF0_gS2+eA9-uI7=oP4",
    "ALLOWED_HOSTS": "cassandre.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://cassandre.example.org",
}


def choices(settings_module: str, env: dict[str, str], tmp_path) -> dict:
    result = run_python(PRINT_CHOICES, settings_module=settings_module, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_dev_settings_run_every_service_embedded_when_nothing_is_set(tmp_path):
    picked = choices("cassandre.dev_settings", {}, tmp_path)
    assert picked == {
        "database": "django.db.backends.sqlite3",
        "broker": "memory://localhost/",
        "embedded_worker": True,
        "channel_layer": "channels.layers.InMemoryChannelLayer",
        "storage": "django.core.files.storage.FileSystemStorage",
        "qdrant_url": "",
        "debug": False,
        "chunk_size": 1000,
    }


def test_dev_settings_show_the_debug_pages_only_when_debug_is_asked_for(tmp_path):
    assert choices("cassandre.dev_settings", {"DEBUG": "true"}, tmp_path)["debug"] is True


def test_dev_settings_use_the_real_services_when_their_variables_are_set(tmp_path):
    picked = choices("cassandre.dev_settings", {**SERVICE_ENV, "SPLIT_CHUNK_SIZE": "800"}, tmp_path)
    assert picked["database"] == "django.db.backends.postgresql"
    assert picked["broker"] == SERVICE_ENV["CELERY_BROKER_URL"]
    assert picked["embedded_worker"] is False
    assert picked["channel_layer"] == "channels_redis.core.RedisChannelLayer"
    assert picked["storage"] == "storages.backends.s3.S3Storage"
    assert picked["qdrant_url"] == SERVICE_ENV["QDRANT_URL"]
    assert picked["chunk_size"] == 800


def test_prod_settings_refuse_to_start_without_secret_key_and_name_what_is_missing(tmp_path):
    env = {key: value for key, value in PROD_ENV.items() if key != "SECRET_KEY"}
    result = run_python(
        PRINT_CHOICES, settings_module="cassandre.prod_settings", env=env, tmp_path=tmp_path
    )
    assert result.returncode != 0
    assert "refuses to start: set SECRET_KEY" in result.stderr


def test_prod_settings_refuse_to_fall_back_to_embedded_services(tmp_path):
    result = run_python(
        PRINT_CHOICES,
        settings_module="cassandre.prod_settings",
        env={"SECRET_KEY": PROD_ENV["SECRET_KEY"], "ALLOWED_HOSTS": "example.org"},
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "DB_HOST" in result.stderr and "QDRANT_URL" in result.stderr


def test_prod_settings_pass_the_deployment_checklist_without_a_warning(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "cassandre.prod_settings",
            "CASSANDRE_DATA_DIR": str(tmp_path),
            **PROD_ENV,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


PRINT_BEAT_SCHEDULE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps(settings.CELERY_BEAT_SCHEDULE))
"""


@pytest.mark.parametrize(("interval", "expected"), [("", 3600.0), ("600", 600.0), ("0", None)])
def test_beat_queues_the_index_check_every_interval_and_never_at_zero(tmp_path, interval, expected):
    env = {"INDEX_CHECK_INTERVAL": interval} if interval else {}
    result = run_python(
        PRINT_BEAT_SCHEDULE, settings_module="cassandre.dev_settings", env=env, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout).get("check-index")
    if expected is None:
        assert entry is None
    else:
        assert entry["task"] == "documents.check_index"
        assert entry["schedule"] == expected


def test_every_variable_the_settings_read_is_in_the_readme_table():
    sources = "".join(
        (settings.BASE_DIR / "cassandre" / name).read_text()
        for name in ("base_settings.py", "dev_settings.py", "prod_settings.py")
    )
    read = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', sources))
    read |= set(re.findall(r'^    "([A-Z_]+)",$', sources, flags=re.MULTILINE))
    readme = (settings.BASE_DIR / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    assert read - documented == set()
