"""HTML pages with BeautifulSoup: the readable text under its h1-h6 headings."""

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString

from documents.extraction.base import Extracted, Section
from documents.extraction.outline import Outline

# Page furniture and non-text content; <head> holds <title>, which is not a section.
_DROPPED = ["head", "script", "style", "nav", "footer", "header", "noscript", "template", "svg"]
# Inside these, a <header> holds the title of the content, not the site's banner.
_CONTENT = ["article", "main"]
_CELLS = ["td", "th"]
_WHITESPACE = re.compile(r"\s+")
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "form", "hr", "html", "li", "main",
    "ol", "p", "section", "summary", "ul",
}  # fmt: skip


class HtmlExtractor:
    mime_types = ("text/html",)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        soup = BeautifulSoup(data, "lxml")
        for element in soup.find_all(_DROPPED):
            if element.name != "header" or not element.find_parent(_CONTENT):
                element.decompose()
        walker = _Walker()
        walker.walk(soup)
        return Extracted(mime_type="text/html", sections=walker.sections(), page_count=0)


class _Walker:
    """Reads the tree in document order; inline text accumulates until a block ends."""

    def __init__(self) -> None:
        self.outline = Outline()
        self.inline: list[str] = []

    def sections(self) -> list[Section]:
        self.flush()
        return self.outline.sections()

    def walk(self, element: Tag) -> None:
        for child in element.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString):  # comments, doctype, CDATA
                    self.inline.append(_WHITESPACE.sub(" ", child))
            elif isinstance(child, Tag):
                self.visit(child)

    def visit(self, tag: Tag) -> None:
        name = tag.name
        if name == "br":
            self.inline.append("\n")
        elif name in _HEADINGS:
            self.flush()
            self.outline.heading(_HEADINGS[name], _text(tag))
        elif name == "li":
            self.flush()
            self.outline.add_item(_text(tag))
        elif name == "table":
            self.flush()
            self.outline.add(_table_text(tag))
        elif name == "pre":
            self.flush()
            self.outline.add(tag.get_text())
        elif name in _BLOCKS:
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            self.walk(tag)

    def flush(self) -> None:
        lines = "".join(self.inline).split("\n")  # only <br> made line breaks
        self.outline.add("\n".join(line.strip() for line in lines))
        self.inline = []


def _table_text(table: Tag) -> str:
    """One line per row of this table (not of tables nested in it), cells joined by " | "."""
    lines = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = [_text(cell) for cell in row.find_all(_CELLS, recursive=False)]
        if any(cells):
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ").split())
