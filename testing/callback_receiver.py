"""A web server on 127.0.0.1 that records the answer callbacks POSTed to it under /hooks/.

With `hold=True` it keeps each request open until `release()`: the sender (an answering
task) stays busy for as long as a test needs, without sleeping for a guessed time. It
answers `failing_status` to the first `failures` requests (retries), and keeps each raw
body (`bodies`, to check signatures).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CallbackReceiver:
    def __init__(self, *, hold: bool = False) -> None:
        self.received: list[tuple[dict[str, str], dict]] = []
        self.bodies: list[bytes] = []
        self.redirect_to = ""
        self.failures = 0
        self.failing_status = 503
        self.holding = threading.Event()
        self._released = threading.Event()
        if not hold:
            self._released.set()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def prefix(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/hooks"

    def release(self) -> None:
        """Answer the held requests, and the next ones at once."""
        self._released.set()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.received.append((headers, json.loads(body)))
                receiver.bodies.append(body)
                receiver.holding.set()
                receiver._released.wait()
                if len(receiver.received) <= receiver.failures:
                    self.send_response(receiver.failing_status)
                elif receiver.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect_to)
                else:
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args) -> None:
                pass

        return Handler

    def __enter__(self) -> "CallbackReceiver":
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
        self._httpd.shutdown()
        self._httpd.server_close()
