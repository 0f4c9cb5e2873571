"""Near-duplicates: a file whose text is almost that of a document of its category.

A circular amended by a few words and uploaded again, rather than as a new version, would
leave two documents answering the same questions, one of them outdated. So when a
document's indexed text changes, it is compared with the texts of its category: one
sharing at least NEAR_DUPLICATE_THRESHOLD of its shingles is recorded as the document it is
probably a new version of (`Document.similar_to`, `similarity`). Nothing is merged by
itself: staff accept the offer (`merge_as_new_version`) or dismiss it
(`keep_apart`), and a dismissed offer stays dismissed until the text changes again.

Text → lower-case words → 5-word shingles, each hashed to 64 bits → the minima of 128
multiply-shift hashes (seeded: a text always gives the same signature). The signature's
16 bands of 8 minima are hashed into `SignatureBand` keys, so that finding the candidates
is an index lookup: two texts at Jaccard 0.9 share a band with probability
1 - (1 - 0.9⁸)¹⁶ > 0.9998, at 0.7 with 0.61, at 0.5 with 0.06. The candidates' signatures
give an estimate (±0.03 around 0.9); the best few are confirmed by the exact Jaccard of the
shingles of their kept texts (`DocumentText`), which is the similarity shown.

Measured on one core (Python 3.11, numpy 2, PostgreSQL on the same machine), for a
50-page text (25,000 words): 13 ms to shingle, 12 ms to sign, 6 ms to store the signature
and its 16 band keys. Among 25,000 signed documents of one category (400,000 band keys),
the lookup takes 2 to 4 ms (the query itself 0.05 ms: an index scan on `key`); confirming
a candidate adds 20 ms (its text shingled again).
"""

import io
import re
from dataclasses import dataclass
from hashlib import blake2b

import numpy as np
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from common.errors import UserError
from common.storage import STORAGE_ERRORS
from documents.exceptions import StorageUnavailable
from documents.models import Document, DocumentText, SignatureBand, TextSignature
from documents.upload_checks import STORAGE_DOWN
from documents.versions import replace_with_new_version

NEAR_DUPLICATE_THRESHOLD = 0.9
SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 16
ROWS = PERMUTATIONS // BANDS
# Candidates whose estimate is up to this much below the threshold are still confirmed:
# the estimate from 128 minima errs by about ±0.03 (one standard deviation) around 0.9.
ESTIMATE_MARGIN = 0.05
CONFIRMED_AT_MOST = 3
# Shingles hashed at once: 4,096 shingles x 128 hashes x 8 bytes = 4 MB, whatever the text's length.
_CHUNK = 4096
_MIX = np.uint64(0x100000001B3)
_WORD = re.compile(r"\w+")
_SEEDS = np.random.default_rng(15).integers(0, 2**64, size=(2, PERMUTATIONS), dtype=np.uint64)
_MULTIPLIERS, _INCREMENTS = _SEEDS[0] | np.uint64(1), _SEEDS[1]
_SIGNATURE_TYPE = np.dtype("<u4")

# The offer, on the admin's buttons and the upload page (`documents.progress`).
OFFER = _("En faire une nouvelle version de « {title} » ({percent} % identique)")


@dataclass(frozen=True)
class NearDuplicate:
    document: Document
    similarity: float


class NotANewVersion(UserError):
    """The document cannot become a version of the other one."""

    code = "not-a-version"


def shingles(text: str) -> np.ndarray:
    """The distinct 5-word sequences of `text` (case aside), each hashed to 64 bits."""
    words = _WORD.findall(text.lower())
    if not words:
        return np.empty(0, dtype=np.uint64)
    vocabulary = {word: _hash64(word.encode()) for word in set(words)}
    hashes = np.fromiter((vocabulary[word] for word in words), dtype=np.uint64, count=len(words))
    width = min(SHINGLE_WORDS, len(words))
    count = len(words) - width + 1
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        combined = combined * _MIX + hashes[offset : offset + count]
    return np.unique(combined)


def signature(shingle_hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature of a non-empty set of shingles: PERMUTATIONS minima."""
    minima = np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint64)
    for start in range(0, len(shingle_hashes), _CHUNK):
        part = shingle_hashes[start : start + _CHUNK, None]
        permuted = (part * _MULTIPLIERS + _INCREMENTS) >> np.uint64(32)
        minima = np.minimum(minima, permuted.min(axis=0))
    return minima.astype(_SIGNATURE_TYPE)


def band_keys(minhash: np.ndarray) -> list[int]:
    """One key per band: documents sharing a key are the candidates to compare."""
    return [
        int.from_bytes(
            blake2b(
                bytes([band]) + minhash[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8
            ).digest(),
            "little",
            signed=True,
        )
        for band in range(BANDS)
    ]


def jaccard(first: np.ndarray, second: np.ndarray) -> float:
    """The share of shingles two texts have in common (distinct sorted hashes each)."""
    union = len(np.union1d(first, second))
    return len(np.intersect1d(first, second, assume_unique=True)) / union if union else 0.0


def note_near_duplicate(document: Document, text: str) -> None:
    """Keep the signature of `document`'s newly indexed text and, when the text changed
    since the last check, record which document of its category it probably is a new
    version of (or none). Also sets `similar_to` and `similarity` on `document`."""
    hashes = shingles(text)
    minhash = signature(hashes) if len(hashes) else None
    changed = _store_signature(document, minhash)
    if not changed and not _flagged_in_another_category(document):
        return
    match = most_similar(document, minhash, hashes) if minhash is not None else None
    document.similar_to = match.document if match else None
    document.similarity = match.similarity if match else None
    Document.objects.filter(pk=document.pk).update(
        similar_to=document.similar_to, similarity=document.similarity
    )


def most_similar(
    document: Document, minhash: np.ndarray, hashes: np.ndarray
) -> NearDuplicate | None:
    """The document of the same category whose text is the most similar to `hashes`, at
    NEAR_DUPLICATE_THRESHOLD or more; never `document` itself, nor a document already
    proposed as a new version of it."""
    candidates = (
        SignatureBand.objects.filter(
            key__in=band_keys(minhash), document__category_id=document.category_id
        )
        .exclude(document_id=document.pk)
        .exclude(document__similar_to_id=document.pk)
        .values("document_id")
    )
    estimates = sorted(
        (
            (float(np.mean(np.frombuffer(stored, dtype=_SIGNATURE_TYPE) == minhash)), pk)
            for pk, stored in TextSignature.objects.filter(document_id__in=candidates).values_list(
                "document_id", "minhash"
            )
        ),
        key=lambda estimate: (-estimate[0], estimate[1]),
    )
    likely = [
        pk for estimate, pk in estimates if estimate >= NEAR_DUPLICATE_THRESHOLD - ESTIMATE_MARGIN
    ][:CONFIRMED_AT_MOST]
    texts = DocumentText.objects.filter(document_id__in=likely).values_list("document_id", "text")
    confirmed = [(jaccard(hashes, shingles(text)), pk) for pk, text in texts]
    best = max(
        (pair for pair in confirmed if pair[0] >= NEAR_DUPLICATE_THRESHOLD),
        key=lambda pair: (pair[0], -pair[1]),
        default=None,
    )
    if best is None:
        return None
    return NearDuplicate(Document.objects.get(pk=best[1]), round(best[0], 4))


def _store_signature(document: Document, minhash: np.ndarray | None) -> bool:
    """Replace the stored signature and its bands; False when it was the same."""
    stored = (
        TextSignature.objects.filter(document_id=document.pk)
        .values_list("minhash", flat=True)
        .first()
    )
    new = minhash.tobytes() if minhash is not None else None
    if stored is not None and bytes(stored) == new:
        return False
    with transaction.atomic():
        SignatureBand.objects.filter(document_id=document.pk).delete()
        if minhash is None:
            TextSignature.objects.filter(document_id=document.pk).delete()
            return True
        TextSignature.objects.update_or_create(document_id=document.pk, defaults={"minhash": new})
        SignatureBand.objects.bulk_create(
            SignatureBand(document_id=document.pk, key=key) for key in band_keys(minhash)
        )
    return True


def _flagged_in_another_category(document: Document) -> bool:
    """A document moved to another category since it was flagged: the offer no longer holds."""
    return (
        document.similar_to_id is not None
        and Document.objects.filter(pk=document.similar_to_id)
        .exclude(category_id=document.category_id)
        .exists()
    )


def percent(similarity: float) -> int:
    return round(similarity * 100)


def offer_label(document: Document) -> str:
    """« En faire une nouvelle version de « X » (93 % identique) » for a flagged document."""
    return str(OFFER).format(title=document.similar_to, percent=percent(document.similarity or 0))


def merge_as_new_version(
    duplicate: Document, *, into: Document, author: AbstractBaseUser | None = None
) -> Document:
    """Make `duplicate`'s file the new version of `into`, then delete `duplicate` (its
    passages and its row; `documents.signals`).

    `into` keeps its id, title, category, hints and validity; the documents that pointed
    to `duplicate` (as repealing them, or as the one they repeat) now point to `into`.
    Raises NotANewVersion when the two cannot be merged, and what
    `replace_with_new_version` raises (then nothing changed). Returns `into` as saved.
    """
    _check_mergeable(duplicate, into)
    try:
        with duplicate.file.open("rb") as stored:
            data = stored.read()
    except STORAGE_ERRORS as error:
        raise StorageUnavailable(STORAGE_DOWN) from error
    with transaction.atomic():
        merged = replace_with_new_version(
            into,
            stream=io.BytesIO(data),
            filename=duplicate.original_filename or duplicate.file.name,
            author=author,
            source_path=duplicate.source_path or None,
        )
        others = Document.objects.exclude(pk=into.pk)
        others.filter(similar_to=duplicate).update(similar_to=into)
        others.filter(repealed_by=duplicate).update(repealed_by=into)
        duplicate.delete()
        Document.objects.filter(pk=into.pk, similar_to=None).update(similarity=None)
    merged.refresh_from_db()
    return merged


def keep_apart(document: Document) -> None:
    """Dismiss the offer: `document` stays a document of its own."""
    Document.objects.filter(pk=document.pk).update(similar_to=None, similarity=None)
    document.similar_to, document.similarity = None, None


def _check_mergeable(duplicate: Document, into: Document) -> None:
    names = {"duplicate": duplicate, "into": into}
    if duplicate.pk == into.pk:
        raise NotANewVersion(_("Un document ne peut pas devenir une version de lui-même."))
    if duplicate.category_id != into.category_id:
        raise NotANewVersion(
            _("« %(duplicate)s » et « %(into)s » ne sont pas de la même catégorie."), names
        )
    if duplicate.versions.exists():
        raise NotANewVersion(
            _(
                "« %(duplicate)s » a ses propres versions précédentes : remplacez plutôt "
                "« %(into)s » par une nouvelle version."
            ),
            names,
        )


def _hash64(data: bytes) -> int:
    return int.from_bytes(blake2b(data, digest_size=8).digest(), "little")
