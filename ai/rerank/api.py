"""A reranking API in the common /rerank format: Cohere's, also served by Hugging Face Text
Embeddings Inference (TEI), vLLM, Infinity, Jina and the French administration's Albert API.

The request, `POST {base_url}/rerank`:

    {"model": …, "query": …, "documents": [...], "texts": [...], "top_n": n,
     "return_documents": false}

`model` is left out when empty (TEI serves one model). The passages go twice: as `documents`
(Cohere's name) and as `texts` (TEI's, which it requires; the others ignore it). TEI refuses
a passage longer than its model's window unless started with `--auto-truncate`.

Two answers are understood, in any order: `{"results": [{"index", "relevance_score"}, ...]}`
(Cohere, vLLM, Jina, Infinity, Albert) and TEI's bare list `[{"index", "score"}, ...]`.
Every passage must be scored exactly once.

Scores are relevance in [0, 1]. Some servers send raw logits instead (TEI with
`raw_scores`, cross-encoders served as is): when any score of an answer lies outside [0, 1],
every score of that answer goes through the sigmoid. Squashing only the stray ones would
break the order (a logit of 1.5 would end below a logit of 0.9); squashing all keeps it.

One attempt, no retry: a search waits for this. `timeout` bounds each step (connecting,
sending, waiting for the answer) and the answer as a whole: one still arriving when
`timeout` has passed since the start is dropped. Any failure raises RerankUnavailable with a
short reason that never quotes the server (its words may echo the key), and logs a warning
that names the host only.
"""

import functools
import json
import logging
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from ai.rerank.base import RerankUnavailable

logger = logging.getLogger(__name__)

# An answer for the candidates of one search takes a few kilobytes; a server sending more is
# not answering the question.
MAX_ANSWER_BYTES = 1_000_000


@dataclass(frozen=True)
class RerankAPI:
    name: str
    base_url: str
    model: str = ""
    api_key: str = field(default="", repr=False)
    timeout: float = 5.0

    @property
    def url(self) -> str:
        """`{base_url}/rerank`; a base URL that already ends with /rerank is taken as is."""
        base = self.base_url.rstrip("/")
        return base if base.endswith("/rerank") else f"{base}/rerank"

    def rerank(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        try:
            return _scores(self._answer(query, list(texts)), len(texts))
        except RerankUnavailable as error:
            logger.warning("The reranking API at %s failed: %s", _host(self.base_url), error.reason)
            raise

    def _answer(self, query: str, texts: list[str]) -> bytes:
        payload: dict[str, object] = {"model": self.model} if self.model else {}
        payload.update(
            query=query, documents=texts, texts=texts, top_n=len(texts), return_documents=False
        )
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        deadline = time.monotonic() + self.timeout
        try:
            with _client().stream(
                "POST", self.url, json=payload, headers=headers, timeout=self.timeout
            ) as response:
                if not response.is_success:
                    raise RerankUnavailable(_status_reason(response.status_code))
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_ANSWER_BYTES:
                        raise RerankUnavailable("réponse trop longue")
                    if time.monotonic() > deadline:
                        raise RerankUnavailable(self._timed_out())
                if time.monotonic() > deadline:
                    raise RerankUnavailable(self._timed_out())
                return bytes(body)
        except httpx.TimeoutException as error:
            raise RerankUnavailable(self._timed_out()) from error
        except httpx.HTTPError as error:
            raise RerankUnavailable(
                f"connexion impossible ou coupée ({type(error).__name__})"
            ) from error
        except (httpx.InvalidURL, UnicodeEncodeError) as error:
            # An address or a key httpx cannot write (a key with an accent): the reason
            # names the type only, the error's own text may quote them.
            raise RerankUnavailable(
                f"adresse ou clé inutilisable ({type(error).__name__})"
            ) from error

    def _timed_out(self) -> str:
        return f"pas de réponse en {self.timeout:g} s"


def _client() -> httpx.Client:
    # Keyed by process: a forked worker must not share its parent's sockets.
    return _client_of_process(os.getpid())


@functools.cache
def _client_of_process(pid: int) -> httpx.Client:
    """One pool of connections per process, kept open between searches. The proxies of the
    environment are not used (trust_env=False: the API is a service of the site), and a
    redirect is not followed (it is an error: it could take the key elsewhere)."""
    return httpx.Client(trust_env=False, follow_redirects=False)


def _status_reason(status: int) -> str:
    if status in (401, 403):
        return f"HTTP {status} : clé refusée"
    if status == 404:
        return "HTTP 404 : adresse ou modèle inconnu"
    return f"HTTP {status}"


def _scores(body: bytes, count: int) -> list[float]:
    """One score per passage, in the passages' order, from either shape of answer."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise RerankUnavailable("réponse illisible (pas du JSON)") from error
    items = answer.get("results") if isinstance(answer, dict) else answer
    if not isinstance(items, list):
        raise RerankUnavailable("réponse inattendue (ni « results » ni liste)")
    scores: list[float | None] = [None] * count
    for item in items:
        index, score = _scored_item(item)
        if not 0 <= index < count or scores[index] is not None:
            raise RerankUnavailable(f"réponse incohérente (indice {index})")
        scores[index] = score
    if None in scores:
        missing = scores.count(None)
        raise RerankUnavailable(f"réponse incomplète ({missing} passage(s) sans score)")
    complete = [score for score in scores if score is not None]
    if all(0.0 <= score <= 1.0 for score in complete):
        return complete
    return [_sigmoid(score) for score in complete]


def _scored_item(item: object) -> tuple[int, float]:
    if not isinstance(item, dict):
        raise RerankUnavailable("réponse inattendue (un résultat n'est pas un objet)")
    index = item.get("index")
    score = item.get("relevance_score", item.get("score"))
    if not isinstance(index, int) or isinstance(index, bool):
        raise RerankUnavailable("réponse inattendue (indice absent ou non entier)")
    if not isinstance(score, int | float) or isinstance(score, bool) or not math.isfinite(score):
        raise RerankUnavailable("réponse inattendue (score absent ou non numérique)")
    return index, float(score)


def _sigmoid(value: float) -> float:
    # Written for either sign so that exp() never overflows.
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exponential = math.exp(value)
    return exponential / (1.0 + exponential)


def _host(base_url: str) -> str:
    """Host and port only: a URL may carry a password or a token in its query."""
    parts = urlsplit(base_url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "?"
    return f"{host}:{port}" if port else host
