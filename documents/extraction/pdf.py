"""PDF text per page with pypdfium2; pages that are only a picture (scans) go through OCR."""

import logging

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from documents.exceptions import DocumentRejected
from documents.extraction.base import Extracted, Section
from documents.extraction.ocr import Ocr, OcrUnavailable, Tesseract
from documents.extraction.titles import own_title

logger = logging.getLogger(__name__)

OCR_DPI = 300
# Pixels on the longer side: an A4 page at 300 dpi is 3508 high; plans and posters are
# rendered smaller rather than filling the worker's memory.
MAX_RENDER_SIDE = 5000
# Below this many visible characters, a page that draws something (an image, vector
# shapes) is a scan, whose text layer holds at most a stamp or a page number.
MIN_TEXT_CHARS = 30
# PDFium ends a line cut by a hyphen with this marker, the line break already removed.
_LINE_END_HYPHEN = "\x02"
# PDFium's error codes when a document fails to load; None for a page that fails.
_PDFIUM_ERRORS = {
    pdfium_c.FPDF_ERR_UNKNOWN: "erreur inconnue",
    pdfium_c.FPDF_ERR_FILE: "fichier introuvable ou illisible",
    pdfium_c.FPDF_ERR_FORMAT: "format de données invalide",
    pdfium_c.FPDF_ERR_PAGE: "page introuvable ou contenu invalide",
}


class PdfExtractor:
    mime_types = ("application/pdf",)

    def __init__(self, ocr: Ocr | None = None) -> None:
        self.ocr = ocr or Tesseract()

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        """One section per page, numbered from 1.

        Scanned pages are read by OCR. Without OCR, a PDF whose other pages hold next to no
        text is rejected saying what to install; otherwise its scans are skipped (logged).
        """
        pdf = _open(data)
        try:
            title = own_title(pdf.get_metadata_dict().get("Title", ""))
            texts, scans = _text_layer(pdf)
            if scans:
                self._read_scans(pdf, texts, scans, filename=filename)
        except pdfium.PdfiumError as error:  # a page that cannot be loaded
            raise _corrupt(error) from error
        finally:
            pdf.close()
        sections = [Section(text, page=number) for number, text in enumerate(texts, start=1)]
        return Extracted(
            mime_type="application/pdf", sections=sections, page_count=len(texts), title=title
        )

    def _read_scans(
        self, pdf: pdfium.PdfDocument, texts: list[str], scans: list[int], *, filename: str
    ) -> None:
        try:
            self.ocr.check()
        except OcrUnavailable as error:
            text_pages = (text for index, text in enumerate(texts) if index not in scans)
            if sum(map(_visible_chars, text_pages)) < MIN_TEXT_CHARS:
                raise DocumentRejected(
                    f"PDF sans couche texte (document numérisé ?) : {error}"
                ) from error
            pages = ", ".join(str(index + 1) for index in scans)
            logger.warning("%s: scanned pages %s skipped, %s", filename, pages, error)
            return
        for index in scans:
            texts[index] = self.ocr.read(_render(pdf, index))


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise DocumentRejected(
                "PDF protégé par un mot de passe : retirez la protection puis déposez-le à nouveau."
            ) from error
        raise _corrupt(error) from error


def _corrupt(error: pdfium.PdfiumError) -> DocumentRejected:
    """The reason in French: PDFium's own message is English (« Failed to load page. »)."""
    detail = _PDFIUM_ERRORS.get(error.err_code, "une page ne peut pas être lue")
    return DocumentRejected(
        f"PDF illisible ou corrompu ({detail}). Réenregistrez-le depuis l'application "
        "qui l'a produit puis déposez-le à nouveau."
    )


def _text_layer(pdf: pdfium.PdfDocument) -> tuple[list[str], list[int]]:
    """The text of every page, and the indexes of the pages that look scanned."""
    texts, scans = [], []
    for index in range(len(pdf)):
        page = pdf[index]
        textpage = page.get_textpage()
        text = textpage.get_text_bounded().replace(_LINE_END_HYPHEN, "")
        textpage.close()
        if _is_scan(page, text):
            scans.append(index)
        page.close()
        texts.append(text)
    return texts, scans


def _is_scan(page: pdfium.PdfPage, text: str) -> bool:
    if _visible_chars(text) >= MIN_TEXT_CHARS:
        return False
    return any(item.type != pdfium_c.FPDF_PAGEOBJ_TEXT for item in page.get_objects())


def _visible_chars(text: str) -> int:
    return len("".join(text.split()))


def _render(pdf: pdfium.PdfDocument, index: int) -> Image.Image:
    page = pdf[index]
    width, height = page.get_size()
    scale = min(OCR_DPI / 72, MAX_RENDER_SIDE / max(width, height, 1))
    image = page.render(scale=scale, grayscale=True).to_pil()
    page.close()
    return image
