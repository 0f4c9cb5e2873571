"""OpenDocument files with odfpy: text (.odt), spreadsheets (.ods), presentations (.odp)."""

import io
import xml.sax
import zipfile
from collections.abc import Iterator
from dataclasses import replace

from odf import opendocument, teletype
from odf.element import Element
from odf.namespaces import DCNS, DRAWNS, PRESENTATIONNS, TABLENS, TEXTNS

from documents.exceptions import DocumentRejected
from documents.extraction.base import ZIP_ERRORS, Extracted, Section
from documents.extraction.containers import check_container
from documents.extraction.outline import Outline
from documents.extraction.tables import row_sections
from documents.extraction.titles import own_title

ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

_HEADING = (TEXTNS, "h")
_PARAGRAPH = (TEXTNS, "p")
_LIST = (TEXTNS, "list")
_TABLE = (TABLENS, "table")
_ROW = (TABLENS, "table-row")
_CELLS = ((TABLENS, "table-cell"), (TABLENS, "covered-table-cell"))
_SLIDE = (DRAWNS, "page")
_FRAME = (DRAWNS, "frame")
_TITLE = (DCNS, "title")
# Generated or hidden content: tables of contents, deleted text kept for change tracking.
_SKIPPED = (
    (TEXTNS, "table-of-content"),
    (TEXTNS, "alphabetical-index"),
    (TEXTNS, "illustration-index"),
    (TEXTNS, "tracked-changes"),
)
# A value repeated over a whole row or column of a sheet is a formatting artefact.
_MAX_REPEAT = 1000


class OdfExtractor:
    mime_types = (ODT, ODS, ODP)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        document = _load(data)
        title = _meta_title(document)
        if document.mimetype == ODS:
            return replace(_spreadsheet(_body(document.spreadsheet)), title=own_title(title))
        if document.mimetype == ODP:
            return replace(_presentation(_body(document.presentation)), title=own_title(title))
        outline = Outline()
        _walk_text(_body(document.text), outline)
        return Extracted(
            mime_type=ODT,
            sections=outline.sections(),
            page_count=0,
            title=own_title(title, outline.first_title),
        )


def _meta_title(document: opendocument.OpenDocument) -> str:
    """The dc:title of meta.xml; "" when there is none."""
    for child in _children(document.meta):
        if child.qname == _TITLE:
            return teletype.extractText(child)
    return ""


def _body(body: Element | None) -> Element:
    """odfpy leaves the body None when content.xml lacks it (empty, or damaged)."""
    if body is None:
        raise DocumentRejected(
            "Document OpenDocument illisible ou corrompu : son contenu (content.xml) est vide "
            "ou n'a pas la forme attendue."
        )
    return body


def _load(data: bytes) -> opendocument.OpenDocument:
    check_container(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = archive.read("META-INF/manifest.xml")
        if b"encryption-data" in manifest:
            raise DocumentRejected(
                "Document protégé par un mot de passe : retirez la protection "
                "puis déposez-le à nouveau."
            )
        return opendocument.load(io.BytesIO(data))
    except (*ZIP_ERRORS, ValueError, xml.sax.SAXException) as error:
        raise DocumentRejected(
            f"Document OpenDocument illisible ou corrompu ({type(error).__name__} : {error})."
        ) from error


def _children(element: Element) -> Iterator[Element]:
    return (child for child in element.childNodes if child.nodeType == Element.ELEMENT_NODE)


def _walk_text(element: Element, outline: Outline) -> None:
    for child in _children(element):
        if child.qname == _HEADING:
            level = _integer(child.getAttrNS(TEXTNS, "outline-level"), default=1)
            outline.heading(level, teletype.extractText(child))
        elif child.qname == _PARAGRAPH:
            outline.add(teletype.extractText(child))
        elif child.qname == _LIST:
            _walk_list(child, outline)
        elif child.qname == _TABLE:
            outline.add("\n".join(" | ".join(row) for row in _table_rows(child)))
        elif child.qname not in _SKIPPED:
            _walk_text(child, outline)


def _walk_list(element: Element, outline: Outline) -> None:
    for item in _children(element):
        for child in _children(item):
            if child.qname == _LIST:
                _walk_list(child, outline)
            else:
                outline.add_item(teletype.extractText(child))


def _table_rows(table: Element) -> Iterator[list[str]]:
    """Rows with their repetitions expanded; empty rows and trailing empty cells left out."""
    for row in _rows(table):
        cells, empty_run = [], 0
        for cell in _children(row):
            if cell.qname not in _CELLS:
                continue
            repeat = _repeat(cell, "number-columns-repeated")
            text = _cell_text(cell)
            if not text:
                empty_run += repeat
                continue
            cells += [""] * empty_run + [text] * repeat
            empty_run = 0
        if cells:
            yield from [cells] * _repeat(row, "number-rows-repeated")


def _cell_text(cell: Element) -> str:
    return " ".join(" ".join(teletype.extractText(part).split()) for part in _children(cell))


def _rows(element: Element) -> Iterator[Element]:
    for child in _children(element):
        if child.qname == _ROW:
            yield child
        elif child.qname != _TABLE:  # header rows and row groups hold rows too
            yield from _rows(child)


def _repeat(element: Element, attribute: str) -> int:
    return min(_integer(element.getAttrNS(TABLENS, attribute), default=1), _MAX_REPEAT)


def _integer(value: str | None, *, default: int) -> int:
    """An attribute's number; `default` when it is missing or not a number (damaged file)."""
    try:
        return int(value or default)
    except ValueError:
        return default


def _spreadsheet(body: Element) -> Extracted:
    sheets = [child for child in _children(body) if child.qname == _TABLE]
    sections: list[Section] = []
    for number, sheet in enumerate(sheets, start=1):
        name = sheet.getAttrNS(TABLENS, "name") or ""
        sections += row_sections(_table_rows(sheet), heading=name, page=number)
    return Extracted(mime_type=ODS, sections=sections, page_count=len(sheets))


def _presentation(body: Element) -> Extracted:
    slides = [child for child in _children(body) if child.qname == _SLIDE]
    sections = [
        Section(_slide_text(slide), page=number, heading=_slide_title(slide))
        for number, slide in enumerate(slides, start=1)
    ]
    return Extracted(mime_type=ODP, sections=sections, page_count=len(slides))


def _slide_text(slide: Element) -> str:
    """Every paragraph of the slide, its speaker notes included."""
    return "\n".join(_paragraphs(slide))


def _paragraphs(element: Element) -> Iterator[str]:
    for child in _children(element):
        if child.qname in (_PARAGRAPH, _HEADING):
            yield teletype.extractText(child)
        else:
            yield from _paragraphs(child)


def _slide_title(slide: Element) -> str:
    for frame in _children(slide):
        if frame.qname == _FRAME and frame.getAttrNS(PRESENTATIONNS, "class") == "title":
            return " ".join(teletype.extractText(frame).split())
    return ""
