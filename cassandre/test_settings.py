"""Settings for the test suite: the real local services whenever they can be reached.

Tests talk to PostgreSQL and Redis on 127.0.0.1 (or wherever DB_HOST, CELERY_BROKER_URL and
CHANNEL_REDIS point). Off CI, a service that is not running falls back to its embedded
stand-in and the tests that need the real one are skipped; with CI=true the real services
are always used, so a missing one fails the suite instead of being skipped.
"""

import os
import socket

from cassandre.env import env_bool, env_str

REQUIRE_SERVICES = env_bool("CI", False)
LOCAL_HOST = "127.0.0.1"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _default_service(variable: str, value: str, port: int) -> None:
    """Point `variable` at the local service unless it is set, down, and CI is off."""
    if env_str(variable):
        return
    if REQUIRE_SERVICES or _reachable(LOCAL_HOST, port):
        os.environ[variable] = value


_default_service("DB_HOST", LOCAL_HOST, 5432)
os.environ.setdefault("DB_USER", "postgres")
_default_service("CELERY_BROKER_URL", f"redis://{LOCAL_HOST}:6379/15", 6379)
_default_service("CHANNEL_REDIS", f"redis://{LOCAL_HOST}:6379/14", 6379)

from cassandre.dev_settings import *  # noqa: E402, F403
from cassandre.dev_settings import DATA_DIR  # noqa: E402

DEBUG = False
SECRET_KEY = "tests-only-secret-key-not-for-deployment-0123456789abcdefghijkl"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests create their own vector collections, never touch the developer's data.
VECTOR_STORE_PATH = DATA_DIR / "test-qdrant"
MEDIA_ROOT = DATA_DIR / "test-media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Answers run their database work in pool threads (`chat.answering.in_thread`): closing each
# connection after use lets the test database be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# One test database per run: two runs on one machine (developers, CI) never collide.
DATABASES["default"]["TEST"] = {"NAME": f"test_cassandre_{os.getpid()}"}  # noqa: F405
# Rate-limit counters of two runs sharing a Redis never mix.
CACHES["default"]["KEY_PREFIX"] = f"test-cassandre-{os.getpid()}"  # noqa: F405
# No limit unless a test sets one: counters would otherwise carry over from test to test.
RATE_LIMIT_QUESTIONS = RATE_LIMIT_SEARCHES = RATE_LIMIT_UPLOADS = RATE_LIMIT_FEEDBACK = (0, 60)
# Importing the ASGI app must not start loading models in the background of the test run:
# that thread holds the GIL for seconds and starves tests that measure time (healthz). The
# daphne processes started on these settings load them at their first question instead.
WARM_UP_MODELS = False
