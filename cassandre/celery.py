"""The Celery application: configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cassandre.dev_settings")

app = Celery("cassandre")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Log like the web process: Celery's own set-up would drop the filter masking secrets."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
