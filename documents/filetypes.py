"""What an uploaded file really is, read from its first bytes, and whether it is accepted.

The type comes from the content, as at indexing (`documents.extraction.detection`): magic
numbers (%PDF, images, programs, archives), the entries of a ZIP container (.docx, .xlsx,
OpenDocument), else text if the bytes decode as text. The extension only has to agree: an
executable renamed « .pdf », a PDF renamed « .docx » or an image renamed « .txt » is refused
at upload, saying what the file really is, before any document is created.
"""

from pathlib import PurePath
from typing import IO

from django.utils.translation import gettext_lazy as _

from documents.exceptions import DocumentRejected, UploadRejected
from documents.extraction import detection
from documents.extraction.detection import (
    BINARY,
    CSV,
    DOCX,
    HTML,
    MARKDOWN,
    ODP,
    ODS,
    ODT,
    OLE,
    PDF,
    PPTX,
    TEXT,
    XLSX,
    ZIP,
)
from documents.extraction.registry import (
    ENCRYPTED_OFFICE_STREAM,
    SUPPORTED_FORMATS,
    SUPPORTED_MIME_TYPES,
    extractor_for,
)

# Enough to tell text from binary and to find an HTML page's markup; ZIP containers are
# read from their central directory instead.
SNIFF_SIZE = 64 * 1024
READ_BLOCK_SIZE = 1024 * 1024
_TEXT_TYPES = frozenset({TEXT, MARKDOWN, CSV, HTML})
# What each extension announces. Text extensions accept any kind of text: a .txt file may
# well hold Markdown or HTML. Office saves a password-protected .docx as an OLE container,
# and Word an RTF document as .doc. Other extensions are not checked: the content decides.
EXTENSION_TYPES: dict[str, frozenset[str]] = {
    ".pdf": frozenset({PDF}),
    ".docx": frozenset({DOCX, OLE}),
    ".xlsx": frozenset({XLSX, OLE}),
    ".pptx": frozenset({PPTX, OLE}),
    ".odt": frozenset({ODT}),
    ".ods": frozenset({ODS}),
    ".odp": frozenset({ODP}),
    ".doc": frozenset({OLE, detection.RTF}),
    ".xls": frozenset({OLE}),
    ".ppt": frozenset({OLE}),
    ".txt": _TEXT_TYPES,
    ".md": _TEXT_TYPES,
    ".markdown": _TEXT_TYPES,
    ".csv": _TEXT_TYPES,
    ".html": _TEXT_TYPES,
    ".htm": _TEXT_TYPES,
}
DESCRIPTIONS = {
    PDF: _("un PDF"),
    DOCX: _("un document Word (.docx)"),
    XLSX: _("un classeur Excel (.xlsx)"),
    PPTX: _("une présentation PowerPoint (.pptx)"),
    ODT: _("un texte OpenDocument (.odt)"),
    ODS: _("un classeur OpenDocument (.ods)"),
    ODP: _("une présentation OpenDocument (.odp)"),
    OLE: _("un fichier Office d'ancien format (.doc, .xls, .ppt)"),
    ZIP: _("une archive ZIP"),
    HTML: _("une page HTML"),
    MARKDOWN: _("du texte"),
    CSV: _("du texte"),
    TEXT: _("du texte"),
    BINARY: _("des données binaires"),
    detection.RTF: _("un document RTF"),
    detection.WINDOWS_PROGRAM: _("un programme Windows"),
    "application/x-executable": _("un programme"),
    "image/png": _("une image PNG"),
    "image/jpeg": _("une image JPEG"),
    "image/gif": _("une image GIF"),
    "image/tiff": _("une image TIFF"),
    "application/gzip": _("une archive gzip"),
    "application/x-7z-compressed": _("une archive 7-Zip"),
    "application/vnd.rar": _("une archive RAR"),
    "application/x-xz": _("une archive xz"),
    "application/vnd.sqlite3": _("une base de données SQLite"),
}


def sniff_mime_type(stream: IO[bytes], filename: str) -> str:
    """The MIME type of the file in `stream` (rewound afterwards), from its content."""
    stream.seek(0)
    head = stream.read(SNIFF_SIZE)
    try:
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            return detection.zip_mime_type(stream, PurePath(filename).suffix.lower())
        return detection.detect_mime_type(head, filename)
    finally:
        stream.seek(0)


def check_upload_type(stream: IO[bytes], filename: str) -> str:
    """The MIME type of an upload, or UploadRejected when it is unsupported or misnamed.

    Refused, in French and saying what the file is: a type no extractor reads, and a
    content that contradicts the extension.
    """
    mime_type = sniff_mime_type(stream, filename)
    extension = PurePath(filename).suffix.lower()
    announced = EXTENSION_TYPES.get(extension)
    if announced is not None and mime_type not in announced:
        raise UploadRejected(
            _(
                "Son contenu (%(content)s) ne correspond pas à l'extension "
                "%(extension)s. Renommez le fichier avec la bonne extension, ou déposez le "
                "bon fichier."
            ),
            {"content": describe(mime_type), "extension": extension},
        )
    if mime_type not in SUPPORTED_MIME_TYPES:
        raise UploadRejected(_unsupported_reason(stream, mime_type))
    return mime_type


def describe(mime_type: str) -> str:
    """« un PDF », « une image PNG »… for a refusal message."""
    return str(DESCRIPTIONS.get(mime_type) or _("de type %(type)s") % {"type": mime_type})


def _unsupported_reason(stream: IO[bytes], mime_type: str) -> str:
    if mime_type == ZIP:
        return str(
            _(
                "C'est une archive ZIP : nommez-la avec l'extension .zip pour que ses "
                "fichiers soient déposés un par un."
            )
        )
    if mime_type in (OLE, detection.RTF):  # the registry says how to convert these
        try:
            extractor_for(mime_type, _encryption_marker_if_any(stream))
        except DocumentRejected as rejection:
            return str(rejection)
    return _(
        "Type de fichier non pris en charge (%(content)s). Formats acceptés : %(formats)s."
    ) % {
        "content": describe(mime_type),
        "formats": SUPPORTED_FORMATS,
    }


def _encryption_marker_if_any(stream: IO[bytes]) -> bytes:
    """The marker of a password-protected Office file if `stream` holds it, else nothing.

    Read by blocks: the marker sits in the container's directory, anywhere in the file.
    """
    marker = ENCRYPTED_OFFICE_STREAM
    previous = b""
    stream.seek(0)
    try:
        while block := stream.read(READ_BLOCK_SIZE):
            if marker in previous + block:
                return marker
            previous = block[-len(marker) :]
    finally:
        stream.seek(0)
    return b""
