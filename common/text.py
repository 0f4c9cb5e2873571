"""Text helpers shared by the apps."""

import hashlib
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_TRAILING_PUNCTUATION = re.compile(r"[\s?!.…;:,]+$")


def normalize_question(question: str) -> str:
    """Lower-case, accent-free, single-spaced, without trailing punctuation.

    Two questions that differ only by case, accents, spacing or a final "?" are the same
    question for curated corrections.
    """
    decomposed = unicodedata.normalize("NFKD", question)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    collapsed = _SPACES.sub(" ", without_accents.lower()).strip()
    return _TRAILING_PUNCTUATION.sub("", collapsed)


def question_hash(question: str) -> str:
    return hashlib.sha256(normalize_question(question).encode()).hexdigest()
