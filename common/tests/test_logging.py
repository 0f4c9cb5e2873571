"""Secrets never reach the logs: the handlers of settings.LOGGING mask them."""

import io
import logging

import pytest

from common.logging import REDACTED, RedactSecrets
from testing.services import run_python

KEY = "sk-proj-0123456789abcdefABCDEF"


@pytest.fixture
def console(settings):
    """What the configured console handler writes, with OPENAI_API_KEY set to KEY."""
    settings.OPENAI_API_KEY = KEY
    (handler,) = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in handler.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_key_in_a_log_message_comes_out_masked(console):
    logging.getLogger("chat.answering").warning("The model refused the key %s.", KEY)
    assert KEY not in console.getvalue()
    assert f"The model refused the key {REDACTED}." in console.getvalue()


def test_a_key_in_a_traceback_comes_out_masked(console):
    try:
        raise ConnectionError(f"401 Unauthorized: invalid api key {KEY}")
    except ConnectionError:
        logging.getLogger("ai.llm").exception("The model failed.")
    assert "The model failed." in console.getvalue()
    assert "ConnectionError: 401 Unauthorized: invalid api key" in console.getvalue()
    assert KEY not in console.getvalue()


def test_every_secret_setting_is_masked(console, settings, monkeypatch):
    settings.SECRET_KEY = "django-secret-key-value-0123456789"
    settings.MINIO_SECRET_ACCESS_KEY = "minio-secret-0123"
    settings.QDRANT_API_KEY = "qdrant-key-0123"
    settings.RERANK_API_KEY = "rerank-key-0123"
    settings.TEXTSYNTH_API_KEY = "textsynth-key-0123"
    monkeypatch.setitem(settings.DATABASES["default"], "PASSWORD", "pg-pass-0123")
    secrets = [
        settings.SECRET_KEY,
        settings.MINIO_SECRET_ACCESS_KEY,
        settings.QDRANT_API_KEY,
        settings.RERANK_API_KEY,
        settings.TEXTSYNTH_API_KEY,
        "pg-pass-0123",
    ]
    logging.getLogger("common").error("Connection strings: %s", " ".join(secrets))
    assert not any(secret in console.getvalue() for secret in secrets)
    assert console.getvalue().count(REDACTED) == len(secrets)


def test_short_values_are_left_alone(console, settings):
    settings.LLM_API_KEY = "none"
    logging.getLogger("chat").info("There is none.")
    assert "There is none." in console.getvalue()


def test_prompts_are_not_logged_by_the_openai_client_even_at_debug():
    assert logging.getLogger("openai").getEffectiveLevel() >= logging.INFO
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


CELERY_WORKER_LOGS = f"""
import logging
from cassandre.celery import app
app.loader.import_default_modules()
app.log.setup(loglevel="INFO")
logging.getLogger("documents.indexing").warning("key {KEY}")
"""


def test_a_celery_worker_logs_through_the_same_masking_handler(tmp_path):
    result = run_python(
        CELERY_WORKER_LOGS,
        settings_module="cassandre.dev_settings",
        env={"OPENAI_API_KEY": KEY},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert f"key {REDACTED}" in result.stderr
    assert KEY not in result.stdout + result.stderr


def test_a_password_inside_a_service_url_is_masked(console, settings):
    settings.CELERY_BROKER_URL = "redis://:broker-password-0123@redis:6379/0"
    logging.getLogger("kombu").error("Cannot connect to %s.", settings.CELERY_BROKER_URL)
    assert "broker-password-0123" not in console.getvalue()
    assert f"redis://:{REDACTED}@redis:6379/0" in console.getvalue()
