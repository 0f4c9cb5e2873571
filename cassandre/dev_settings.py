"""The default settings (manage.py, asgi, celery): runs with no variable at all.

Every service whose variables are unset runs embedded (see base_settings). Set the
variables to run the same code on PostgreSQL, Redis, S3 and a Qdrant server.
"""

import secrets

from cassandre.base_settings import *  # noqa: F403
from cassandre.base_settings import DATA_DIR, INSTALLED_APPS, SECRET_KEY
from cassandre.env import env_bool

DEBUG = env_bool("DEBUG", True)
# The measurement harness (`bench/`: sample corpus, benchmarks, evaluation sets) and its
# commands; a checkout has it, the production image does not.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]


def _persistent_secret_key() -> str:
    """A random key kept under DATA_DIR, so sessions survive restarts without any setup."""
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = SECRET_KEY or _persistent_secret_key()

# Serve static files straight from the apps' folders: no collectstatic needed in dev.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
