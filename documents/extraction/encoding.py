"""Telling text from binary data, and decoding text files the way French offices write them."""

import codecs
import re

from documents.exceptions import DocumentRejected

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Binary data is full of control characters; a text file may have a stray one (a DOS
# end-of-file mark, a terminal escape).
_MAX_CONTROL_PER_HUNDRED = 1


def decode_text(data: bytes) -> str | None:
    """The text of `data` (UTF-8 or UTF-16 with a BOM, UTF-8, else cp1252); None if binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _text_or_none(data[len(bom) :], encoding)
    if b"\x00" in data:
        return None
    return _text_or_none(data, "utf-8") or _text_or_none(data, "cp1252")


def _text_or_none(data: bytes, encoding: str) -> str | None:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if len(_CONTROL.findall(text)) > max(1, len(text) * _MAX_CONTROL_PER_HUNDRED // 100):
        return None
    return text


def read_text(data: bytes) -> str:
    """The text of a file said to be text; DocumentRejected if it is binary."""
    text = decode_text(data)
    if text is None:
        raise DocumentRejected(
            "Fichier texte illisible : ce n'est pas du texte en UTF-8, UTF-16 ou Windows-1252."
        )
    return text
