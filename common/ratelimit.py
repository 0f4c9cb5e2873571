"""Rate limits: how many questions, searches and uploads someone may make per time window.

Counters live in Django's cache (Redis when configured, so every web process shares them)
in fixed windows: simple, atomic with `cache.add` + `cache.incr`, and at worst twice the
limit across a window boundary, which is enough to stop a runaway script.
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

QUESTIONS = "questions"
SEARCHES = "searches"
UPLOADS = "uploads"
LOGINS = "logins"

TOO_MANY = {
    QUESTIONS: "Trop de questions en peu de temps.",
    SEARCHES: "Trop de recherches en peu de temps.",
    UPLOADS: (
        "Trop de dépôts en peu de temps (envoyez plutôt plusieurs fichiers, ou une archive "
        "ZIP, en un seul dépôt)."
    ),
    LOGINS: "Trop de tentatives de connexion.",
}


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one action under `key`; False once more than `limit` fell in this window.

    A limit of 0 means no limit. When the cache cannot be reached the action is allowed:
    a rate limit must not take the site down with it.
    """
    if limit <= 0:
        return True
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{key}:{window}"
    try:
        cache.add(cache_key, 0, timeout=window_seconds + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:
            # The window expired between add and incr: this is the first hit of the next.
            cache.add(cache_key, 1, timeout=window_seconds + 1)
            count = 1
    except Exception:
        logger.warning("Rate limit not checked: the cache is unreachable.", exc_info=True)
        return True
    return count <= limit


def retry_after(action: str) -> int:
    """Seconds until the current window of `action` ends."""
    _, window_seconds = _rate(action)
    return window_seconds - int(time.time()) % window_seconds


def refusal(action: str, wait: int | None = None) -> str:
    """The French message for someone over the rate of `action`: what, and how long to wait."""
    wait = retry_after(action) if wait is None else wait
    return f"{TOO_MANY[action]} Réessayez dans {wait} seconde{'s' if wait > 1 else ''}."


def allowed(action: str, who: str) -> bool:
    """Count one `action` (QUESTIONS, SEARCHES, UPLOADS) by `who`; False when over its rate."""
    limit, window_seconds = _rate(action)
    return hit(f"{action}:{who}", limit=limit, window_seconds=window_seconds)


def question_allowed(user_id: int) -> bool:
    """One more question by this user, from the websocket or the answering API."""
    return allowed(QUESTIONS, str(user_id))


def requester(request: HttpRequest) -> str:
    """Who a request is counted against: the user, or a visitor's IP address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.pk)
    return f"ip:{request.META.get('REMOTE_ADDR', '')}"


def _rate(action: str) -> tuple[int, int]:
    return {
        QUESTIONS: settings.RATE_LIMIT_QUESTIONS,
        SEARCHES: settings.RATE_LIMIT_SEARCHES,
        UPLOADS: settings.RATE_LIMIT_UPLOADS,
        LOGINS: settings.RATE_LIMIT_LOGINS,
    }[action]


class TooManyRequests(Throttled):
    """A 429 whose `detail` is `refusal(action)`; DRF adds the Retry-After header."""

    def __init__(self, action: str) -> None:
        wait = retry_after(action)
        # Without `wait`, DRF appends no sentence of its own (in English) to the message.
        super().__init__(detail=refusal(action, wait))
        self.wait = wait


class ActionThrottle(BaseThrottle):
    """The limits at the API's edge: DRF checks them after authentication."""

    action: str

    def allow_request(self, request, view) -> bool:
        if allowed(self.action, requester(request)):
            return True
        raise TooManyRequests(self.action)


class QuestionThrottle(ActionThrottle):
    action = QUESTIONS


class SearchThrottle(ActionThrottle):
    action = SEARCHES


class UploadThrottle(ActionThrottle):
    action = UPLOADS
