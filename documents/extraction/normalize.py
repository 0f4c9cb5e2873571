"""Text clean-up applied to every extracted section, whatever its format."""

import re
import unicodedata

_LINE_BREAKS = re.compile(r"\r\n?|[\v\f\x85\u2028\u2029]")
# Control characters except tab and newline, invisible characters that split words (soft
# hyphen, zero-width space, word joiner, byte order mark), and lone surrogates, which a
# damaged PDF can produce and which no database or JSON encoder accepts.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\u00ad\u200b\u2060\ufeff\ud800-\udfff]"
)
_SPACES = re.compile(r"[^\S\t\n]+")
_LINE_EDGES = re.compile(r"^[ \t]+|[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_LINE_END_HYPHEN = re.compile(r"([^\W\d_])-\n([^\W\d_])")


def normalize_text(text: str, *, dehyphenate: bool = False) -> str:
    """NFC, no control characters, single spaces, paragraphs separated by one blank line.

    `dehyphenate` joins words cut at a line end ("exem-\\nple"), for PDF and OCR text whose
    lines are the printed ones; a hyphen before a capital letter is kept.
    """
    text = unicodedata.normalize("NFC", text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _LINE_EDGES.sub("", text)
    if dehyphenate:
        text = _LINE_END_HYPHEN.sub(_join_hyphenated, text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _join_hyphenated(match: re.Match[str]) -> str:
    before, after = match.groups()
    return before + after if after.islower() else match[0]
