"""The language of a person on a websocket, chosen as for their pages."""

from types import SimpleNamespace

from django.utils import translation


def language_of(scope: dict) -> str:
    """The language Django would choose for an HTTP request with the same cookies and
    headers: the language switcher's cookie, else the browser's preferences, else
    LANGUAGE_CODE."""
    headers = {name.decode("latin-1").lower(): value for name, value in scope.get("headers", [])}
    request = SimpleNamespace(
        COOKIES=scope.get("cookies", {}),
        META={"HTTP_ACCEPT_LANGUAGE": headers.get("accept-language", b"").decode("latin-1")},
        path_info=scope.get("path", "/"),
    )
    return translation.get_language_from_request(request)
