"""Recognising a file's type from its content; the filename only settles ties."""

import io
import re
import zipfile
from pathlib import PurePath
from typing import IO

from documents.extraction.encoding import decode_text

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
ZIP = "application/zip"
OLE = "application/x-ole-storage"  # legacy .doc/.xls/.ppt, and password-protected OOXML
HTML = "text/html"
MARKDOWN = "text/markdown"
CSV = "text/csv"
TEXT = "text/plain"
BINARY = "application/octet-stream"
RTF = "application/rtf"

# Formats people upload by mistake, named so that the refusal says what the file is.
# Only signatures no text file starts with; "MZ" (Windows programs) is checked on binary data.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x7fELF", "application/x-executable"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"SQLite format 3\x00", "application/vnd.sqlite3"),
    (b"{\\rtf", RTF),
)
WINDOWS_PROGRAM = "application/vnd.microsoft.portable-executable"

# The header may follow some junk bytes, within the first kilobyte.
_PDF_HEADER = re.compile(rb"%PDF-\d")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
_ZIP_EXTENSIONS = {
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".pptx": PPTX,
    ".odt": ODT,
    ".ods": ODS,
    ".odp": ODP,
}
_HTML_DOCUMENT = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_HTML_TAG = re.compile(rb"<(?:head|body|p|div|h[1-6]|table|ul|ol|br|span|a)[\s/>]", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6} ", re.MULTILINE)
_SNIFF_SIZE = 1024
_MAX_MIMETYPE_SIZE = 100


def detect_mime_type(data: bytes, filename: str) -> str:
    """The MIME type of `data`, read from its content (magic bytes, container, markup).

    The extension only decides what content cannot: Markdown or CSV versus plain text, and
    the kind of a damaged ZIP container, so that it is reported as a corrupt document.
    """
    extension = PurePath(filename).suffix.lower()
    head = data[:_SNIFF_SIZE]
    if _PDF_HEADER.search(head):
        return PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return zip_mime_type(io.BytesIO(data), extension)
    if head.startswith(_OLE_SIGNATURE):
        return OLE
    for signature, mime_type in SIGNATURES:
        if head.startswith(signature):
            return mime_type
    text = decode_text(data)
    if text is None:
        return WINDOWS_PROGRAM if head.startswith(b"MZ") else BINARY
    return _text_mime_type(text, head, extension)


def zip_mime_type(file: IO[bytes], extension: str) -> str:
    """The kind of document a ZIP container holds, from its entries (not decompressed).

    Reads the central directory and at most the first bytes of the `mimetype` entry, so a
    zip bomb is not inflated here.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    return entry.read(_MAX_MIMETYPE_SIZE).decode("ascii", "replace").strip()
    except Exception:  # damaged in any of many ways: its extractor will say it is corrupt
        return _ZIP_EXTENSIONS.get(extension, ZIP)
    return next((mime for part, mime in _OOXML_PARTS.items() if part in names), ZIP)


def _text_mime_type(text: str, head: bytes, extension: str) -> str:
    if _HTML_DOCUMENT.search(head):
        return HTML
    if extension in (".md", ".markdown"):
        return MARKDOWN
    if extension in (".html", ".htm") or _HTML_TAG.search(head):
        return HTML
    if extension == ".csv":
        return CSV
    if _MARKDOWN_HEADING.search(text):
        return MARKDOWN
    return TEXT
