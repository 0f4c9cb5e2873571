"""The Content-Security-Policy of the site's pages, built once by the settings.

Scripts come from the site's own files only: no inline script, no `on…=` attribute, no
`eval`; PDF.js's worker is one of them. No page frames another: the viewer draws its PDFs
itself (PDF.js). Styles may be inline: server-rendered progress bars set their width in a
`style` attribute, the error page carries its own styles (it may not rely on the static
files), and a style runs no code. `'self'` in `connect-src` covers the websockets of the
page's own origin (ws: and wss:, CSP Level 3); a websocket served elsewhere
(`WEBSOCKET_URL`) is added."""

from urllib.parse import urlsplit

DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    # The favicon is a data: URL.
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    # PDF.js reads the viewer's PDF in a worker (theme/static/pdfjs/).
    "worker-src": ["'self'"],
    "frame-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}


def page_policy(*, websocket_url: str = "") -> str:
    """The header's value; `websocket_url` is where the pages open their websockets, if not
    on their own origin."""
    directives = {name: list(sources) for name, sources in DIRECTIVES.items()}
    if websocket_url:
        parts = urlsplit(websocket_url)
        directives["connect-src"].append(f"{parts.scheme}://{parts.netloc}")
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())
