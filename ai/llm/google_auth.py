"""Access tokens of Google service accounts, for Vertex AI.

A token is asked for with a JWT signed by the account's private key (the OAuth 2.0 JWT
bearer grant, RFC 7523) at the key's `token_uri`, and lives about an hour. Each account's
token is kept and replaced `REFRESH_MARGIN` seconds before it expires, so that no answer
starts with a token about to lapse. One lock per account: threads and event loops asking
at once get the same token from one exchange.
"""

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import jwt

from ai.service_account import ServiceAccount

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME = 3600
REFRESH_MARGIN = 300.0


class TokenRefused(Exception):
    """The token endpoint refused the key (revoked, deleted account, wrong signature)."""


class TokenUnavailable(Exception):
    """The token endpoint could not be reached, failed, or answered nonsense."""


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: float


class AccessTokens:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        # `clock` measures expiry; the JWT's own dates are wall-clock time, as the server
        # reads them.
        self.clock = clock
        self._tokens: dict[tuple[str, str, str], _Token] = {}
        self._locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def token(self, account: ServiceAccount, *, timeout: float, connect_timeout: float) -> str:
        """A token valid for at least `REFRESH_MARGIN` seconds; blocks while it is fetched."""
        key = _key(account)
        with self._lock(key):
            cached = self._tokens.get(key)
            if cached is not None and self.clock() < cached.expires_at - REFRESH_MARGIN:
                return cached.value
            self._tokens[key] = self._exchange(
                account, timeout=timeout, connect_timeout=connect_timeout
            )
            return self._tokens[key].value

    def forget(self, account: ServiceAccount, token: str) -> None:
        """Drops `token` (the API refused it) unless another has already replaced it."""
        key = _key(account)
        with self._lock(key):
            cached = self._tokens.get(key)
            if cached is not None and cached.value == token:
                del self._tokens[key]

    def _lock(self, key: tuple[str, str, str]) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(key, threading.Lock())

    def _exchange(
        self, account: ServiceAccount, *, timeout: float, connect_timeout: float
    ) -> _Token:
        started = self.clock()
        try:
            response = httpx.post(
                account.token_uri,
                data={"grant_type": GRANT_TYPE, "assertion": signed_assertion(account)},
                timeout=httpx.Timeout(timeout, connect=connect_timeout),
            )
        except httpx.HTTPError as error:
            raise TokenUnavailable(type(error).__name__) from error
        if response.status_code in (400, 401, 403):
            raise TokenRefused(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise TokenUnavailable(f"HTTP {response.status_code}")
        try:
            answer = response.json()
            value, lifetime = answer["access_token"], float(answer["expires_in"])
        except (ValueError, TypeError, KeyError) as error:
            raise TokenUnavailable("the token endpoint's answer is unreadable") from error
        if not isinstance(value, str) or not value:
            raise TokenUnavailable("the token endpoint gave no token")
        return _Token(value, started + lifetime)


def signed_assertion(account: ServiceAccount) -> str:
    now = int(time.time())
    claims = {
        "iss": account.client_email,
        "scope": SCOPE,
        "aud": account.token_uri,
        "iat": now,
        "exp": now + ASSERTION_LIFETIME,
    }
    headers = {"kid": account.private_key_id} if account.private_key_id else None
    return jwt.encode(claims, account.private_key, algorithm="RS256", headers=headers)


def _key(account: ServiceAccount) -> tuple[str, str, str]:
    # The private key itself, not only its id: a key pasted in place of another must not
    # be served the other's token.
    fingerprint = hashlib.sha256(account.private_key.encode()).hexdigest()
    return (account.client_email, fingerprint, account.token_uri)


tokens = AccessTokens()
