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
from django.utils.translation import ngettext_lazy
from rest_framework.throttling import BaseThrottle

from common.errors import RateLimited

logger = logging.getLogger(__name__)

QUESTIONS = "questions"
SEARCHES = "searches"
UPLOADS = "uploads"
FEEDBACK = "feedback"
LOGINS = "logins"

# What someone over the rate of an action reads; %(wait)s is in seconds. (The sign-in
# forms say their own, in minutes: `common.accounts`.)
TOO_MANY = {
    QUESTIONS: ngettext_lazy(
        "Trop de questions en peu de temps. Réessayez dans %(wait)s seconde.",
        "Trop de questions en peu de temps. Réessayez dans %(wait)s secondes.",
        "wait",
    ),
    SEARCHES: ngettext_lazy(
        "Trop de recherches en peu de temps. Réessayez dans %(wait)s seconde.",
        "Trop de recherches en peu de temps. Réessayez dans %(wait)s secondes.",
        "wait",
    ),
    UPLOADS: ngettext_lazy(
        "Trop de dépôts en peu de temps (envoyez plutôt plusieurs fichiers, ou une archive "
        "ZIP, en un seul dépôt). Réessayez dans %(wait)s seconde.",
        "Trop de dépôts en peu de temps (envoyez plutôt plusieurs fichiers, ou une archive "
        "ZIP, en un seul dépôt). Réessayez dans %(wait)s secondes.",
        "wait",
    ),
    FEEDBACK: ngettext_lazy(
        "Trop d'avis ou de propositions en peu de temps. Réessayez dans %(wait)s seconde.",
        "Trop d'avis ou de propositions en peu de temps. Réessayez dans %(wait)s secondes.",
        "wait",
    ),
}


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one action under `key`; False once more than `limit` fell in this window.

    A limit of 0 means no limit. When the cache cannot be reached the action is allowed:
    a rate limit must not take the site down with it.
    """
    if limit <= 0:
        return True
    cache_key = _window_key(key, window_seconds)
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


def remaining(action: str, who: str) -> int | None:
    """How many more `action`s `who` may make in this window (nothing counted); None when
    there is no limit, or when the cache cannot be reached (then nothing is refused)."""
    limit, window_seconds = _rate(action)
    if limit <= 0:
        return None
    try:
        count = cache.get(_window_key(f"{action}:{who}", window_seconds)) or 0
    except Exception:
        logger.warning("Rate limit not checked: the cache is unreachable.", exc_info=True)
        return None
    return max(limit - count, 0)


def exceeded(action: str, who: str) -> bool:
    """Whether `who` already used up the rate of `action` in this window (nothing counted)."""
    return remaining(action, who) == 0


def _window_key(key: str, window_seconds: int) -> str:
    return f"ratelimit:{key}:{int(time.time() // window_seconds)}"


def retry_after(action: str) -> int:
    """Seconds until the current window of `action` ends."""
    _, window_seconds = _rate(action)
    return window_seconds - int(time.time()) % window_seconds


def refused(action: str) -> RateLimited:
    """The error for someone over the rate of `action`: what, and how long to wait."""
    wait = retry_after(action)
    return RateLimited(TOO_MANY[action], {"wait": wait}, wait=wait)


def refusal(action: str) -> str:
    """The message of `refused(action)`, in the active language (for the pages' forms)."""
    return refused(action).message


def allowed(action: str, who: str) -> bool:
    """Count one `action` (QUESTIONS, SEARCHES, UPLOADS) by `who`; False when over its rate."""
    limit, window_seconds = _rate(action)
    return hit(f"{action}:{who}", limit=limit, window_seconds=window_seconds)


def check_question_rate(user_id: int) -> None:
    """Count one more question by this user (websocket or answering API); raises
    `RateLimited` over the rate."""
    if not allowed(QUESTIONS, str(user_id)):
        raise refused(QUESTIONS)


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
        FEEDBACK: settings.RATE_LIMIT_FEEDBACK,
        LOGINS: settings.RATE_LIMIT_LOGINS,
    }[action]


class ActionThrottle(BaseThrottle):
    """The limits at the API's edge: DRF checks them after authentication; over the rate,
    `RateLimited` gives a 429 with Retry-After (`common.errors.api_exception_handler`)."""

    action: str

    def allow_request(self, request, view) -> bool:
        if allowed(self.action, requester(request)):
            return True
        raise refused(self.action)


class QuestionThrottle(ActionThrottle):
    action = QUESTIONS


class SearchThrottle(ActionThrottle):
    action = SEARCHES


class UploadThrottle(ActionThrottle):
    action = UPLOADS


class FeedbackThrottle(ActionThrottle):
    action = FEEDBACK
