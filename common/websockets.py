"""Which pages may open the site's websockets: the site's own, nobody else's.

A browser sends the page's origin (scheme, host, port) with every websocket handshake and
the site's cookie along with it. Channels' `AllowedHostsOriginValidator` compares host names
only, so a page served on another port of the same host (or over http for an https site)
could open the chat with the signed-in user's cookie and read what they may read. Here the
origin must be exactly the one the request was made to — the scheme (as the proxy reports
it, X-Forwarded-Proto), the Host header with its port — or one of CSRF_TRUSTED_ORIGINS.
"""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


def origin_allowed(scope: dict) -> bool:
    headers = {name.lower(): value for name, value in scope.get("headers", [])}
    origin = headers.get(b"origin", b"").decode("latin-1").strip().rstrip("/").lower()
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    domain, _ = split_domain_port(host)
    if not origin or not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    trusted = {allowed.rstrip("/").lower() for allowed in settings.CSRF_TRUSTED_ORIGINS}
    return origin == f"{scheme}://{host}" or origin in trusted


class SameOriginValidator:
    """ASGI middleware refusing a websocket whose origin is not the site's (403 at the
    handshake, before any consumer runs)."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
