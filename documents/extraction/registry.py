"""The extractor of each supported MIME type, and the reason other types are refused."""

from documents.exceptions import DocumentRejected
from documents.extraction.base import Extractor
from documents.extraction.detection import OLE, RTF
from documents.extraction.docx import DocxExtractor
from documents.extraction.html import HtmlExtractor
from documents.extraction.markdown import MarkdownExtractor
from documents.extraction.odf import OdfExtractor
from documents.extraction.pdf import PdfExtractor
from documents.extraction.text import CsvExtractor, PlainTextExtractor
from documents.extraction.xlsx import XlsxExtractor

_EXTRACTORS: tuple[Extractor, ...] = (
    PdfExtractor(),
    DocxExtractor(),
    XlsxExtractor(),
    OdfExtractor(),
    HtmlExtractor(),
    MarkdownExtractor(),
    CsvExtractor(),
    PlainTextExtractor(),
)
EXTRACTORS: dict[str, Extractor] = {
    mime_type: extractor for extractor in _EXTRACTORS for mime_type in extractor.mime_types
}
SUPPORTED_MIME_TYPES = tuple(EXTRACTORS)
SUPPORTED_FORMATS = (
    "PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods, .odp), HTML, Markdown, "
    "CSV et texte brut"
)
# Office encrypts a protected .docx/.xlsx into this stream of an OLE container.
ENCRYPTED_OFFICE_STREAM = "EncryptedPackage".encode("utf-16-le")


def extractor_for(mime_type: str, data: bytes) -> Extractor:
    """The extractor of `mime_type`; DocumentRejected saying why when there is none."""
    if extractor := EXTRACTORS.get(mime_type):
        return extractor
    if mime_type == OLE and ENCRYPTED_OFFICE_STREAM in data:
        raise DocumentRejected(
            "Document Office protégé par un mot de passe : retirez la protection "
            "puis déposez-le à nouveau."
        )
    if mime_type == OLE:
        raise DocumentRejected(
            "Ancien format Microsoft Office (.doc, .xls, .ppt) non pris en charge : "
            "enregistrez-le au format .docx, .xlsx ou PDF puis déposez-le à nouveau."
        )
    if mime_type == RTF:
        raise DocumentRejected(
            "Format RTF non pris en charge : enregistrez le document au format .docx, .odt "
            "ou PDF puis déposez-le à nouveau."
        )
    raise DocumentRejected(
        f"Type de fichier non pris en charge ({mime_type}). Formats acceptés : {SUPPORTED_FORMATS}."
    )
