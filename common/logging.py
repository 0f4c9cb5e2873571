"""A logging filter that blanks out the configured secrets wherever they appear in a record.

Installed on the handlers in `settings.LOGGING`, so it sees the records of every logger,
ours and the libraries' (an API error may echo a key; a connection error may quote a URL
with its password), including their tracebacks.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings

SECRET_SETTINGS = (
    "SECRET_KEY",
    "DB_PASSWORD",
    "MINIO_SECRET_ACCESS_KEY",
    "OPENAI_API_KEY",
    "PARADIGM_API_KEY",
    "TEXTSYNTH_API_KEY",
    "LLM_API_KEY",
    "EMBEDDING_API_KEY",
    "QDRANT_API_KEY",
    "RERANK_API_KEY",
    "ANSWER_CALLBACK_SECRET",
)
# Service URLs may carry a password: redis://:password@redis:6379/0.
URL_SETTINGS = ("CELERY_BROKER_URL", "CHANNEL_REDIS", "CACHE_REDIS", "QDRANT_URL", "MINIO_URL")
REDACTED = "[secret masqué]"
# Shorter values would blank out ordinary words; a secret that short is no secret anyway.
MIN_SECRET_LENGTH = 6


def secret_values() -> list[str]:
    """The configured secrets, longest first so that none is left half-masked."""
    values = {str(getattr(settings, name, "") or "") for name in SECRET_SETTINGS}
    database = settings.DATABASES.get("default", {}).get("PASSWORD") or ""
    values.add(str(database))
    storage = settings.STORAGES.get("default", {}).get("OPTIONS", {}).get("secret_key") or ""
    values.add(str(storage))
    values.update(_url_password(getattr(settings, name, "")) for name in URL_SETTINGS)
    return sorted((v for v in values if len(v) >= MIN_SECRET_LENGTH), key=len, reverse=True)


def _url_password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record whose message or traceback holds a secret; never drops one."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = secret_values()
        if not secrets:
            return True
        message = record.getMessage()
        masked = redact(message, secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse `exc_text` once it is set: format the traceback here, masked.
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True
