"""The one kind of error a person is told about: what went wrong, in their language.

A service raises a `UserError` (or one of its subclasses, which name the case) when the
person who asked must be told why nothing came of it. Each edge turns it into its own form
in one place: the API's exception handler (`api_exception_handler`: `{"detail", "code"}`
with the error's HTTP status), the chat consumer (a websocket `error` message with `code`),
the commands (a `CommandError`).

The message is translated when it is read (`message`), not when it is raised: a service
running in a worker thread needs no idea of who will read it, and the edge reads it in the
language of the person it answers.
"""

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response
from rest_framework.views import exception_handler

Message = str | Promise


class UserError(Exception):
    """A failure the person must be told about; `code` names it for programs."""

    code: str = "invalid"
    status: int = 400
    default_message: Message = _("Cette demande ne peut pas aboutir.")

    def __init__(
        self,
        message: Message | None = None,
        params: Mapping[str, object] | None = None,
        *,
        detail: str = "",
    ) -> None:
        """`message` (lazily translated; `%(name)s` filled from `params`); `detail` is for
        the logs only and never reaches the person (it may name a server or a key)."""
        self._message = self.default_message if message is None else message
        self._params = params
        super().__init__(detail or self.message)

    @property
    def message(self) -> str:
        """The message in the active language."""
        if self._params is None:
            return str(self._message)
        return str(self._message % self._params)


class NotFound(UserError):
    """What was asked for does not exist, or is not the person's: the same to them."""

    code = "not_found"
    status = 404


class RateLimited(UserError):
    """Too many requests in a short time; `wait` seconds until the next is accepted."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: Message, params: Mapping[str, object], *, wait: int) -> None:
        super().__init__(message, params)
        self.wait = wait


class RequestTooLarge(UserError):
    """A request body over DATA_UPLOAD_MAX_MEMORY_SIZE (files aside, which have their own)."""

    code = "too_large"
    status = 413

    def __init__(self, *, most_bytes: int) -> None:
        super().__init__(
            _("La requête est trop volumineuse (%(most)s Mo au plus)."),
            {"most": most_bytes // (1024 * 1024)},
        )


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler, which also answers a `UserError` with its message, code and status."""
    if not isinstance(exc, UserError):
        return exception_handler(exc, context)
    response = Response({"detail": exc.message, "code": exc.code}, status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.wait)
    return response
