"""Any OpenAI-compatible embeddings API: OpenAI itself, vLLM, Ollama, TEI, LiteLLM...

Errors become EmbeddingUnavailable with a message for the admins that names the endpoint
and the setting to check, never the key.
"""

import math
import threading
from collections.abc import Sequence

import openai
from django.conf import settings

from ai.embeddings.base import EmbeddingUnavailable

DEFAULT_MODEL = "text-embedding-3-small"
# Explicit rather than left to the library, which would read OPENAI_BASE_URL itself: the
# base URL is part of model_id, so it must come from the settings alone.
DEFAULT_API_BASE = "https://api.openai.com/v1"
# Sent when EMBEDDING_API_KEY is empty: servers without authentication (vLLM, Ollama)
# ignore it, and OpenAI's 401 is then reported as a missing key.
NO_KEY = "no-key"
PROBE_TEXT = "dimensions"
MAX_DETAIL_LENGTH = 300


class OpenAIEmbedder:
    def __init__(
        self,
        *,
        model: str,
        api_base: str,
        api_key: str,
        batch_size: int,
        timeout: float,
        max_retries: int,
    ) -> None:
        self.model = model
        self.api_base = api_base.rstrip("/")
        self.model_id = f"openai:{model}@{self.api_base}"
        self.batch_size = max(1, batch_size)
        self.timeout = timeout
        self._api_key = api_key
        self._client = openai.OpenAI(
            base_url=self.api_base,
            api_key=api_key or NO_KEY,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._dimensions: int | None = None
        self._dimensions_lock = threading.Lock()

    @classmethod
    def from_settings(cls) -> "OpenAIEmbedder":
        return cls(
            model=settings.EMBEDDING_MODEL or DEFAULT_MODEL,
            api_base=settings.EMBEDDING_API_BASE or DEFAULT_API_BASE,
            api_key=settings.EMBEDDING_API_KEY,
            batch_size=settings.EMBEDDING_BATCH_SIZE,
            timeout=settings.EMBEDDING_TIMEOUT,
            max_retries=settings.EMBEDDING_MAX_RETRIES,
        )

    @property
    def dimensions(self) -> int:
        """Learnt from the first vectors; embeds a probe text if none came yet."""
        with self._dimensions_lock:
            if self._dimensions is None:
                self._dimensions = len(self._embed_batch([PROBE_TEXT])[0])
            return self._dimensions

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._embed_batch(list(texts[start : start + self.batch_size])))
        if vectors and self._dimensions is None:
            self._dimensions = len(vectors[0])
        return vectors

    def _embed_batch(self, batch: list[str]) -> list[list[float]]:
        try:
            response = self._client.embeddings.create(
                model=self.model,
                input=batch,
                # Floats are what every compatible server speaks; the library would ask
                # for base64, which some of them reject.
                encoding_format="float",
            )
            items = sorted(response.data, key=lambda item: item.index)
            vectors = [_normalised(item.embedding) for item in items]
        except openai.OpenAIError as exc:
            raise EmbeddingUnavailable(self._explain(exc)) from exc
        except (TypeError, ValueError) as exc:
            raise EmbeddingUnavailable(self._unexpected(exc)) from exc
        if len(vectors) != len(batch):
            raise EmbeddingUnavailable(
                self._unexpected(f"{len(vectors)} vectors for {len(batch)} texts")
            )
        return vectors

    def _explain(self, exc: openai.OpenAIError) -> str:
        endpoint = f"L'API d'embeddings {self.api_base}"
        if isinstance(exc, openai.AuthenticationError):
            if not self._api_key:
                return (
                    f"{endpoint} demande une clé : EMBEDDING_API_KEY (ou OPENAI_API_KEY) est vide."
                )
            return f"{endpoint} refuse la clé (HTTP 401) : vérifiez EMBEDDING_API_KEY."
        if isinstance(exc, openai.PermissionDeniedError):
            return (
                f"{endpoint} refuse l'accès au modèle {self.model!r} avec cette clé (HTTP 403) : "
                "vérifiez EMBEDDING_API_KEY et EMBEDDING_MODEL."
            )
        if isinstance(exc, openai.NotFoundError):
            return (
                f"{endpoint} ne connaît pas le modèle {self.model!r} ou l'adresse "
                f"{self.api_base}/embeddings (HTTP 404) : vérifiez EMBEDDING_MODEL et "
                f"EMBEDDING_API_BASE. {self._detail(exc)}"
            )
        if isinstance(exc, openai.APITimeoutError):
            return f"{endpoint} n'a pas répondu en {self.timeout:g} s (EMBEDDING_TIMEOUT)."
        if isinstance(exc, openai.APIConnectionError):
            return (
                f"{endpoint} est injoignable ({self._detail(exc.__cause__ or exc)}) : "
                "vérifiez EMBEDDING_API_BASE et que le service tourne."
            )
        if isinstance(exc, openai.APIStatusError):
            return f"{endpoint} a répondu HTTP {exc.status_code} : {self._detail(exc)}"
        return self._unexpected(exc)

    def _unexpected(self, problem: object) -> str:
        return (
            f"L'API d'embeddings {self.api_base} a donné une réponse inattendue : "
            f"{self._detail(problem)}"
        )

    def _detail(self, problem: object) -> str:
        """The server's own words, shortened, with the key masked should it echo it."""
        detail = str(problem).strip()
        if self._api_key:
            detail = detail.replace(self._api_key, "***")
        return detail[:MAX_DETAIL_LENGTH]


def _normalised(vector: Sequence[float]) -> list[float]:
    """OpenAI's vectors are unit length already; other servers' are not always."""
    norm = math.sqrt(sum(value * value for value in vector))
    if norm == 0:
        return list(vector)
    return [value / norm for value in vector]
