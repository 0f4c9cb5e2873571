"""A real HTTP server on 127.0.0.1 that speaks the common /rerank API, for the tests.

It serves POST /rerank and /v1/rerank in either dialect (`shape`): Cohere's (vLLM, Infinity,
Albert…) reads `documents` and answers `{"results": [{"index", "relevance_score"}]}`; TEI's
reads `texts` and answers a bare list `[{"index", "score"}]`. Like the real servers, both
answer best first (not in the order of the passages) and keep only `top_n`. A passage's
score is `scores[text]` when the test set one (a logit is fine), else `word_overlap`.

A test can script the answer: `delay` (seconds before answering: a timeout), `drip`
(seconds between the pieces of a body sent a few bytes at a time: an answer that never
ends), `status` (an HTTP error, whose body quotes the key it was given, as some servers do),
`body` (raw bytes served instead: a malformed answer). It records every request, and checks
the bearer key when it has one.

    with FakeRerankServer(api_key="rerank-key") as server:
        settings.RERANK_API_BASE = server.base_url
"""

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from testing.openai_server import RecordedRequest

PATHS = ("/rerank", "/v1/rerank")
DRIP_PIECE = 4


def word_overlap(query: str, text: str) -> float:
    """The share of the query's words found in the text: 0 to 1, and the same every time."""
    query_words = set(re.findall(r"\w+", query.lower()))
    if not query_words:
        return 0.0
    return len(query_words & set(re.findall(r"\w+", text.lower()))) / len(query_words)


class FakeRerankServer:
    def __init__(self, *, api_key: str = "", shape: str = "cohere") -> None:
        if shape not in ("cohere", "tei"):
            raise ValueError(f"Unknown shape {shape!r}: 'cohere' or 'tei'.")
        self.api_key = api_key
        self.shape = shape
        self.scores: dict[str, float] = {}
        self.delay = 0.0
        self.drip = 0.0
        self.status = 200
        self.body: bytes | None = None
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("The server is not started.")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> "FakeRerankServer":
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FakeRerankServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def answer(self, request: RecordedRequest) -> tuple[int, bytes]:
        with self._lock:
            self.requests.append(request)
        if self.delay:
            time.sleep(self.delay)
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.api_key and given != self.api_key:
            return _error(401, f"Invalid API key: {given}")
        if self.status != 200:
            return _error(self.status, f"Server error while using the key {given}")
        if self.body is not None:
            return 200, self.body
        if request.path not in PATHS:
            return _error(404, f"Unknown path {request.path}")
        return self._ranking(request.body)

    def _ranking(self, payload: dict) -> tuple[int, bytes]:
        field = "texts" if self.shape == "tei" else "documents"
        query, texts = payload.get("query"), payload.get(field)
        if (
            not isinstance(query, str)
            or not isinstance(texts, list)
            or not all(isinstance(text, str) for text in texts)
        ):
            return _error(422, f"Missing field: `query` and `{field}` are required")
        scored = [
            (index, self.scores[text] if text in self.scores else word_overlap(query, text))
            for index, text in enumerate(texts)
        ]
        scored.sort(key=lambda item: item[1], reverse=True)
        top_n = payload.get("top_n")
        if isinstance(top_n, int):
            scored = scored[:top_n]
        if self.shape == "tei":
            return 200, json.dumps([{"index": i, "score": s} for i, s in scored]).encode()
        results = [{"index": i, "relevance_score": s} for i, s in scored]
        return 200, json.dumps({"id": "rerank-test", "results": results}).encode()


def _error(status: int, message: str) -> tuple[int, bytes]:
    return status, json.dumps({"error": message}).encode()


def _pieces(body: bytes, drip: float) -> Iterator[bytes]:
    if not drip:
        yield body
        return
    for start in range(0, len(body), DRIP_PIECE):
        yield body[start : start + DRIP_PIECE]
        time.sleep(drip)


def _handler_for(server: FakeRerankServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            request = RecordedRequest(
                method="POST",
                path=self.path.split("?")[0],
                headers={name.lower(): value for name, value in self.headers.items()},
                body=body if isinstance(body, dict) else {},
            )
            status, payload = server.answer(request)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                for piece in _pieces(payload, server.drip):
                    self.wfile.write(piece)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to tell it

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler
