"""Callbacks of the asynchronous API: where answers may be POSTed, and POSTing them.

A callback is a request our server makes to an address a client chose, so it is held to
`ANSWER_CALLBACK_ALLOWED_URLS`: same scheme, host and port as an allowed prefix, and a path
under its path. URLs are read by httpx both when checked and when sent, so that no two
parsers can disagree on the host.

Each POST is signed (`SIGNATURE_HEADER`: `t=<unix time>,v1=<hex HMAC-SHA256 of "t." + body>`)
with ANSWER_CALLBACK_SECRET, so the receiver knows it comes from us and is recent. A network
error or a 5xx raises `CallbackUnavailable`: the caller tries again later (`retry_delay`).
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import unquote

import httpx
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from common.errors import UserError

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
NO_CALLBACKS = _(
    "Ce serveur n'envoie les réponses à aucune adresse de rappel (callback_url) : "
    "interrogez l'adresse de la tâche pour obtenir la réponse."
)
NOT_ALLOWED = _(
    "Cette adresse de rappel (callback_url) n'est pas autorisée : elle doit commencer par "
    "l'une des adresses déclarées par l'administrateur (ANSWER_CALLBACK_ALLOWED_URLS), en "
    "http ou https, sans identifiants."
)


SIGNATURE_HEADER = "X-Cassandre-Signature"
# Never wait more than an hour between two attempts, however many retries are configured.
MAX_RETRY_DELAY = 3600


class CallbackRefused(UserError):
    """The callback URL is not one answers may be sent to; `message` says why."""

    code = "refused"


class CallbackUnavailable(Exception):
    """The callback failed in a way that may pass (network error, 5xx); `status` says how."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


@dataclass(frozen=True)
class _Address:
    scheme: str
    host: str
    port: int
    path: str

    def is_under(self, prefix: "_Address") -> bool:
        if (self.scheme, self.host, self.port) != (prefix.scheme, prefix.host, prefix.port):
            return False
        # "/hooks" allows "/hooks" and "/hooks/…", not "/hooksevil".
        base = prefix.path if prefix.path.endswith("/") else prefix.path + "/"
        return self.path == prefix.path or self.path.startswith(base)


def _address(url: str) -> _Address | None:
    """The parts of `url` that decide where it goes, or None for a URL never allowed."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return None
    if parsed.scheme not in DEFAULT_PORTS or not parsed.host or parsed.userinfo:
        return None
    # Encoded dot segments ("%2e%2e") may be resolved by the receiving server.
    if {".", ".."} & set(unquote(parsed.path).split("/")):
        return None
    return _Address(
        scheme=parsed.scheme,
        host=parsed.host,
        port=parsed.port or DEFAULT_PORTS[parsed.scheme],
        path=parsed.path or "/",
    )


def check_callback_url(url: str) -> None:
    """Raise `CallbackRefused` unless `url` is under one of the allowed prefixes."""
    allowed = [
        address
        for address in map(_address, settings.ANSWER_CALLBACK_ALLOWED_URLS)
        if address is not None
    ]
    if not allowed:
        raise CallbackRefused(NO_CALLBACKS)
    target = _address(url)
    if target is None or not any(target.is_under(prefix) for prefix in allowed):
        raise CallbackRefused(NOT_ALLOWED)


def post_callback(url: str, body: dict[str, object]) -> str:
    """POST `body` as signed JSON to `url`; return the HTTP status, or why nothing was sent.

    Raises `CallbackUnavailable` on a network error or a 5xx. The allow-list is checked
    again: it may have changed since the task was created. The request carries nothing of
    ours (no credentials, cookies, proxy or .netrc settings from the environment) and follows
    no redirect, which could lead anywhere.
    """
    try:
        check_callback_url(url)
    except CallbackRefused:
        return "refusé : adresse hors de ANSWER_CALLBACK_ALLOWED_URLS"
    content = json.dumps(body, separators=(",", ":")).encode()
    headers = {
        "User-Agent": "Cassandre",
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(content, timestamp=int(time.time())),
    }
    try:
        with httpx.Client(
            follow_redirects=False, timeout=settings.ANSWER_CALLBACK_TIMEOUT, trust_env=False
        ) as client:
            response = client.post(url, content=content, headers=headers)
    except httpx.HTTPError as error:
        logger.warning("Answer callback to %s failed: %r", _origin(url), error)
        raise CallbackUnavailable(f"échec : {type(error).__name__}") from error
    if response.status_code >= 500:
        logger.warning("Answer callback to %s answered %s.", _origin(url), response.status_code)
        raise CallbackUnavailable(str(response.status_code))
    return str(response.status_code)


def _origin(url: str) -> str:
    """The host only: a webhook's path or query often holds the receiver's secret token."""
    address = _address(url)
    return f"{address.scheme}://{address.host}:{address.port}" if address else "?"


def signature(content: bytes, *, timestamp: int) -> str:
    """The value of `SIGNATURE_HEADER` for a body sent at `timestamp` (Unix seconds)."""
    signed = f"{timestamp}.".encode() + content
    digest = hmac.new(callback_secret().encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def callback_secret() -> str:
    """ANSWER_CALLBACK_SECRET, or a secret derived from SECRET_KEY for this purpose alone
    (never SECRET_KEY itself, which would then be exposed to an HMAC oracle)."""
    if settings.ANSWER_CALLBACK_SECRET:
        return settings.ANSWER_CALLBACK_SECRET
    return hmac.new(
        settings.SECRET_KEY.encode(), b"cassandre.answer-callbacks", hashlib.sha256
    ).hexdigest()


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1, 2…): doubling each time
    from ANSWER_CALLBACK_RETRY_DELAY, never more than an hour."""
    return min(settings.ANSWER_CALLBACK_RETRY_DELAY * 2 ** (attempt - 1), MAX_RETRY_DELAY)
