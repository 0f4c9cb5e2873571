"""The default settings (manage.py, asgi, celery): runs with no variable at all.

Every service whose variables are unset runs embedded (see base_settings). Set the
variables to run the same code on PostgreSQL, Redis, S3 and a Qdrant server.

DEBUG stays off unless asked for (`make dev`, `DEBUG=true`): the default run is what people
try Cassandre with, and Django's debug pages would show them, and anyone who can reach the
port, the settings, paths, versions and URL patterns.
"""

import os
import secrets
from pathlib import Path

from cassandre.base_settings import *  # noqa: F403
from cassandre.base_settings import DATA_DIR, INSTALLED_APPS, LOGGING, SECRET_KEY
from cassandre.env import env_bool

DEBUG = env_bool("DEBUG", False)
# The measurement harness (`bench/`: sample corpus, benchmarks, evaluation sets) and its
# commands; a checkout has it, the production image does not.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]


def persistent_secret_key(path: Path) -> str:
    """The random key kept at `path`, made on first use: sessions survive restarts.

    Processes that start together on one data folder (the dev profile's web and worker
    containers) all end with the same key, and a key already there is kept.
    """
    if not path.exists():
        _create_unless_exists(path, secrets.token_urlsafe(50))
    return path.read_text().strip()


def _create_unless_exists(path: Path, text: str) -> None:
    """Write `text` to `path` unless it exists, so that no reader sees a half-written file.

    Each process writes a draft of its own, then hard-links it into place: the link is
    atomic and fails when `path` exists, so the first process wins and the others read its
    key back.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        file.write(text)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


SECRET_KEY = SECRET_KEY or persistent_secret_key(DATA_DIR / "secret_key")

# Django's runserver (daphne's, run by the dev profile's web container) logs every
# request's full URL, and a search URL holds the question. Like the image's daphne it writes
# no access log; django.request still logs the failures, by path only.
LOGGING = {
    **LOGGING,
    "loggers": {**LOGGING["loggers"], "django.channels.server": {"level": "CRITICAL"}},
}

# Serve static files straight from the apps' folders, DEBUG or not: no collectstatic needed
# (daphne serves no static file by itself; the image collects them, nginx serves them).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Nothing is collected here: without a root WhiteNoise reads the finders only, and does not
# warn at each start that the folder is missing.
STATIC_ROOT = None
