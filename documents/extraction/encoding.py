"""Telling text from binary data, and decoding text files the way French offices write them.

Text files arrive damaged or oddly encoded: a UTF-8 file with a stray Windows-1252 byte, a
log padded with NUL bytes by a program that crashed, UTF-16 without its byte order mark.
None of that makes them unreadable: bad bytes are replaced, NUL bytes dropped. Only data
that is mostly control characters is binary.
"""

import codecs
import re

from documents.exceptions import DocumentRejected

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")
# Binary data is full of control characters; a text file may have a stray one (a DOS
# end-of-file mark, a terminal escape).
_MAX_CONTROL_PER_HUNDRED = 1
# ASCII and Latin-1 text in UTF-16 has a NUL byte in every other position.
_UTF16_SAMPLE = 4096
_UTF16_MIN_NUL_SHARE = 0.4
_UTF16_MAX_OTHER_NUL_SHARE = 0.05


def decode_text(data: bytes) -> str | None:
    """The text of `data`, NUL characters removed; None if it is binary.

    UTF-8 or UTF-16 with a byte order mark; UTF-16 recognised by its NUL bytes; UTF-8, with
    the few invalid bytes of a damaged file replaced by « � »; else Windows-1252.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _text_or_none(data[len(bom) :].decode(encoding, "replace"))
    if encoding := _utf16_without_bom(data):
        return _text_or_none(data.decode(encoding, "replace"))
    if data.count(b"\x00") * 2 > len(data):
        return None
    return _text_or_none(_decode_8bit(data.replace(b"\x00", b"")))


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:_UTF16_SAMPLE]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd >= _UTF16_MIN_NUL_SHARE and even <= _UTF16_MAX_OTHER_NUL_SHARE:
        return "utf-16-le"
    if even >= _UTF16_MIN_NUL_SHARE and odd <= _UTF16_MAX_OTHER_NUL_SHARE:
        return "utf-16-be"
    return None


def _decode_8bit(data: bytes) -> str:
    """UTF-8 unless its invalid bytes outnumber its valid accented letters (Windows-1252)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    invalid = text.count("\ufffd")
    valid_non_ascii = len(text) - len(text.encode("ascii", "ignore")) - invalid
    if valid_non_ascii > invalid:
        return text
    return data.decode("cp1252", "replace")


def _text_or_none(text: str) -> str | None:
    text = text.replace("\x00", "")
    controls = len(text) - len(_CONTROL.sub("", text))
    if controls > max(1, len(text) * _MAX_CONTROL_PER_HUNDRED // 100):
        return None
    return text


def read_text(data: bytes) -> str:
    """The text of a file said to be text; DocumentRejected if it is binary."""
    text = decode_text(data)
    if text is None:
        raise DocumentRejected(
            "Fichier texte illisible : ce sont des données binaires, pas du texte "
            "(UTF-8, UTF-16 ou Windows-1252)."
        )
    return text
