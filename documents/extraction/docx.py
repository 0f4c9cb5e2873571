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
from documents.extraction.containers import check_container
from documents.extraction.outline import Outline
from documents.extraction.titles import own_title

# Style names differ with the language Word or LibreOffice ran in.
_HEADING_STYLE = re.compile(r"(?:heading|titre|título|titolo|überschrift)\s*(\d)", re.IGNORECASE)
_BODY_TEXT_OUTLINE_LEVEL = 9
# Styles inherit from styles ("based on"); a damaged file can make that chain a loop.
_MAX_STYLE_DEPTH = 10


class DocxExtractor:
    mime_types = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        check_container(data)
        try:
            document = docx.Document(io.BytesIO(data))
        except (*ZIP_ERRORS, PackageNotFoundError, etree.XMLSyntaxError) as error:
            raise DocumentRejected(
                f"Document Word illisible ou corrompu ({type(error).__name__} : {error})."
            ) from error
        outline = Outline()
        styles = _StyleCache()
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                outline.add(_table_text(block))
            elif (level := _heading_level(block, styles)) is not None:
                outline.heading(level, block.text)
            elif styles.is_list(block) or block._p.xpath("./w:pPr/w:numPr"):
                outline.add_item(block.text)
            else:
                outline.add(block.text)
        return Extracted(
            mime_type=self.mime_types[0],
            sections=outline.sections(),
            page_count=0,
            title=own_title(document.core_properties.title, outline.first_title),
        )


class _StyleCache:
    """What each paragraph style means, worked out once per style.

    python-docx looks a paragraph's style up by a linear scan of the styles part: doing
    that once per style instead of once per paragraph makes long documents several
    times faster to read.
    """

    def __init__(self) -> None:
        self._styles: dict[str | None, tuple[int | None, bool]] = {}

    def _resolve(self, paragraph: Paragraph) -> tuple[int | None, bool]:
        style_id = paragraph._p.style
        if style_id not in self._styles:
            style = paragraph.style
            is_list = bool(style is not None and (style.name or "").startswith("List"))
            self._styles[style_id] = (_style_heading_level(style), is_list)
        return self._styles[style_id]

    def heading_level(self, paragraph: Paragraph) -> int | None:
        return self._resolve(paragraph)[0]

    def is_list(self, paragraph: Paragraph) -> bool:
        return self._resolve(paragraph)[1]


def _heading_level(paragraph: Paragraph, styles: _StyleCache) -> int | None:
    """From the outline level set on the paragraph itself, else from its style."""
    levels = paragraph._p.xpath("./w:pPr/w:outlineLvl/@w:val")
    if levels:
        return _outline_level(levels)
    return styles.heading_level(paragraph)


def _style_heading_level(style: BaseStyle | None) -> int | None:
    """From a style's name, else the outline level it or a style it is based on sets."""
    for _ in range(_MAX_STYLE_DEPTH):
        if style is None:
            return None
        if match := _HEADING_STYLE.fullmatch(style.name or ""):
            return int(match[1])
        levels = style.element.xpath("./w:pPr/w:outlineLvl/@w:val")
        if levels:
            return _outline_level(levels)
        style = style.base_style
    return None


def _outline_level(levels: list[str]) -> int | None:
    try:
        level = int(levels[0])
    except ValueError:  # a damaged file: the paragraph is read as body text
        return None
    return level + 1 if 0 <= level < _BODY_TEXT_OUTLINE_LEVEL else None


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
