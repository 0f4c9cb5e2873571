"""Settings for `collectstatic` while the Docker image is built: no service, no secret.

The image serves static files with production's hashed names, so they are collected with
production's staticfiles storage, while everything else stays on the embedded defaults.
"""

from cassandre.dev_settings import *  # noqa: F403
from cassandre.dev_settings import DATA_DIR, INSTALLED_APPS, MANIFEST_STATIC_STORAGE, STORAGES

STORAGES = {**STORAGES, "staticfiles": MANIFEST_STATIC_STORAGE}
# Where the image's static files are collected (the development settings collect nothing).
STATIC_ROOT = DATA_DIR / "static"
# The image holds no harness (.dockerignore leaves `bench/` out).
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "bench"]
