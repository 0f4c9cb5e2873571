"""The reranking contract: a query and candidate passages in, one relevance score each out."""

from collections.abc import Sequence
from typing import Protocol


class RerankUnavailable(Exception):
    """The reranking API failed for this request (timeout, refused, 4xx/5xx, malformed); the
    search falls back to the offline reranker. `reason`: a short, key-free text for staff."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Reranker(Protocol):
    name: str
    """Shown in the inspector, e.g. "TEI interne" or the site's "API de reranking"."""

    def rerank(self, query: str, texts: Sequence[str]) -> list[float]:
        """One relevance score in [0, 1] per text, in the order of `texts`. Raises
        RerankUnavailable."""
        ...
