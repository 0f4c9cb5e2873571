"""Another site on the same host — a page served on another port of 127.0.0.1 — opens the
chat websocket from a signed-in user's browser, which sends the user's cookie along (cookies
do not care for ports): it must read nothing."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cassandre.tests.e2e.browser.corpus import HUMAN_RESOURCES

pytestmark = pytest.mark.timeout(120)

# The other site's page: it asks a question over the victim's websocket and keeps whatever
# comes back.
ATTACK = """<!doctype html><title>Jeu concours</title><script>
window.stolen = {opened: false, messages: [], closed: null};
const socket = new WebSocket(%(socket)s);
socket.onopen = () => {
  window.stolen.opened = true;
  socket.send(JSON.stringify(
    {type: "ask", id: "vol", question: "Comment poser des congés ?", category: %(slug)s}));
};
socket.onmessage = (event) => window.stolen.messages.push(event.data);
socket.onclose = (event) => { window.stolen.closed = event.code; };
</script>"""


@contextmanager
def another_site(page: str) -> Iterator[str]:
    """A web server on another port of 127.0.0.1 serving `page`; yields its address."""
    body = page.encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_page_on_another_port_reads_nothing_over_the_websocket(page, deployment):
    page.goto(f"{deployment.url}/chat/search/")  # signed in: the cookie is in the browser
    socket = deployment.url.replace("http://", "ws://") + "/ws/chat/"
    slug = deployment.categories[HUMAN_RESOURCES]

    with another_site(ATTACK % {"socket": json.dumps(socket), "slug": json.dumps(slug)}) as url:
        page.goto(url)
        page.wait_for_function(
            "window.stolen && (window.stolen.closed !== null || window.stolen.messages.length)",
            timeout=30_000,
        )
        stolen = page.evaluate("window.stolen")

    assert stolen["messages"] == [], stolen
    assert stolen["closed"] != 1000
