"""Typed readers for environment variables, used only by the settings modules."""

import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from exc


def env_decimal(name: str) -> Decimal | None:
    """A number at or above 0 (a price, a factor), or None when unset."""
    raw = env_str(name).replace(",", ".")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(f"{name} must be a number at or above 0, got {raw!r}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name).lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return default if raw == "" else False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}.")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = env_str(name)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def missing(names: list[str]) -> list[str]:
    """The names among `names` that are unset or empty."""
    return [name for name in names if not env_str(name)]


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate written COUNT/SECONDS ("30/60": 30 per minute) as (count, seconds).

    A count of 0 means no limit.
    """
    raw = env_str(name) or default
    try:
        count, seconds = (int(part) for part in raw.split("/"))
    except ValueError:
        count, seconds = -1, 0
    if count < 0 or seconds <= 0:
        raise ImproperlyConfigured(
            f"{name} must be COUNT/SECONDS, e.g. 30/60 for 30 per minute; got {raw!r}."
        )
    return count, seconds
