"""Recognising a file's type from its content; the filename only settles ties."""

import io
import re
import zipfile
from pathlib import PurePath

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
        return _zip_mime_type(data, extension)
    if head.startswith(_OLE_SIGNATURE):
        return OLE
    text = decode_text(data)
    if text is None:
        return BINARY
    return _text_mime_type(text, head, extension)


def _zip_mime_type(data: bytes, extension: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                return archive.read("mimetype").decode("ascii", "replace").strip()
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
