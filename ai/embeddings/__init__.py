"""The embedder chosen by EMBEDDING_BACKEND: the local model, or an OpenAI-compatible API."""

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from ai.embeddings.base import Embedder, EmbeddingUnavailable

__all__ = ["BACKENDS", "Embedder", "EmbeddingUnavailable", "get_embedder"]

# Imported on first use: the API backend does not load the local model, nor the other way.
BACKENDS = {
    "local": "ai.embeddings.local.LocalEmbedder",
    "openai": "ai.embeddings.openai_api.OpenAIEmbedder",
}


@cache
def get_embedder() -> Embedder:
    """The process-wide embedder; rebuilt when an EMBEDDING_* setting changes (tests)."""
    backend = settings.EMBEDDING_BACKEND
    if backend not in BACKENDS:
        valid = ", ".join(repr(name) for name in BACKENDS)
        raise ImproperlyConfigured(f"EMBEDDING_BACKEND={backend!r} is not one of {valid}.")
    return import_string(BACKENDS[backend]).from_settings()
