"""Word documents (.docx) with python-docx: paragraphs and tables under their headings."""

import io
import re

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.styles.style import BaseStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from documents.exceptions import DocumentRejected
from documents.extraction.base import ZIP_ERRORS, Extracted
from documents.extraction.outline import Outline

# Style names differ with the language Word or LibreOffice ran in.
_HEADING_STYLE = re.compile(r"(?:heading|titre|título|titolo|überschrift)\s*(\d)", re.IGNORECASE)
_BODY_TEXT_OUTLINE_LEVEL = 9
# Styles inherit from styles ("based on"); a damaged file can make that chain a loop.
_MAX_STYLE_DEPTH = 10


class DocxExtractor:
    mime_types = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        try:
            document = docx.Document(io.BytesIO(data))
        except (*ZIP_ERRORS, PackageNotFoundError, etree.XMLSyntaxError) as error:
            raise DocumentRejected(
                f"Document Word illisible ou corrompu ({type(error).__name__} : {error})."
            ) from error
        outline = Outline()
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                outline.add(_table_text(block))
            elif (level := _heading_level(block)) is not None:
                outline.heading(level, block.text)
            elif _is_list_item(block):
                outline.add_item(block.text)
            else:
                outline.add(block.text)
        return Extracted(mime_type=self.mime_types[0], sections=outline.sections(), page_count=0)


def _heading_level(paragraph: Paragraph) -> int | None:
    """From the outline level set on the paragraph or its styles, else from a style name."""
    levels = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    style: BaseStyle | None = paragraph.style
    for _ in range(_MAX_STYLE_DEPTH):
        if levels or style is None:
            break
        if match := _HEADING_STYLE.fullmatch(style.name or ""):
            return int(match[1])
        levels = style.element.xpath("./w:pPr/w:outlineLvl/@w:val")
        style = style.base_style
    if levels and int(levels[0]) < _BODY_TEXT_OUTLINE_LEVEL:
        return int(levels[0]) + 1
    return None


def _is_list_item(paragraph: Paragraph) -> bool:
    style_name = (paragraph.style.name if paragraph.style else None) or ""
    return bool(paragraph._p.xpath("./w:pPr/w:numPr")) or style_name.startswith("List")


def _table_text(table: Table) -> str:
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)
