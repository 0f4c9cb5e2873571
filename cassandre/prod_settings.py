"""Production settings: real services only, secure by default.

Refuses to start unless SECRET_KEY and every service variable are set, so a typo in a
deployment never silently falls back to an embedded SQLite file or the memory broker.
"""

from django.core.exceptions import ImproperlyConfigured

from cassandre.env import env_bool, env_int, missing

REQUIRED_VARIABLES = [
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DB_HOST",
    "DB_NAME",
    "DB_USER",
    "DB_PASSWORD",
    "CELERY_BROKER_URL",
    "CHANNEL_REDIS",
    "QDRANT_URL",
    "MINIO_URL",
    "MINIO_ACCESS_KEY_ID",
    "MINIO_SECRET_ACCESS_KEY",
    "MINIO_STORAGE_BUCKET_NAME",
]

_missing = missing(REQUIRED_VARIABLES)
if _missing:
    raise ImproperlyConfigured(
        "cassandre.prod_settings refuses to start: set "
        + ", ".join(_missing)
        + " (see the variables table in README.md), or use cassandre.dev_settings "
        "to run on embedded defaults."
    )

from cassandre.base_settings import *  # noqa: E402, F403

DEBUG = False

STORAGES = {**STORAGES, "staticfiles": MANIFEST_STATIC_STORAGE}  # noqa: F405

# TLS is terminated by nginx (or a load balancer) in front of daphne.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
