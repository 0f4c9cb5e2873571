"""Callbacks of the asynchronous API: where answers may be POSTed, and POSTing them.

A callback is a request our server makes to an address a client chose, so it is held to
`ANSWER_CALLBACK_ALLOWED_URLS`: same scheme, host and port as an allowed prefix, and a path
under its path. URLs are read by httpx both when checked and when sent, so that no two
parsers can disagree on the host.
"""

import logging
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


class CallbackRefused(UserError):
    """The callback URL is not one answers may be sent to; `message` says why."""

    code = "refused"


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
    """POST `body` as JSON to `url`; return the HTTP status, or why nothing was sent.

    The allow-list is checked again: it may have changed since the task was created. The
    request carries nothing of ours (no credentials, cookies, proxy or .netrc settings from
    the environment) and follows no redirect, which could lead anywhere.
    """
    try:
        check_callback_url(url)
    except CallbackRefused:
        return "refusé : adresse hors de ANSWER_CALLBACK_ALLOWED_URLS"
    try:
        with httpx.Client(
            follow_redirects=False, timeout=settings.ANSWER_CALLBACK_TIMEOUT, trust_env=False
        ) as client:
            response = client.post(url, json=body, headers={"User-Agent": "Cassandre"})
    except httpx.HTTPError as error:
        # The host only: a webhook's path or query often holds the receiver's secret token.
        address = _address(url)
        origin = f"{address.scheme}://{address.host}:{address.port}" if address else "?"
        logger.warning("Answer callback to %s failed: %r", origin, error)
        return f"échec : {type(error).__name__}"
    return str(response.status_code)
