"""HTML pages with BeautifulSoup: the readable text under its h1-h6 headings.

lxml's HTML parser never loads a DTD nor expands the entities a DOCTYPE declares, and it
nests tags as deep as the page does: the tree is walked with a stack, not by recursion, so
100,000 nested <div> are read like one.
"""

import codecs
import re

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.dammit import EncodingDetector
from bs4.element import PreformattedString

from documents.extraction.base import Extracted, Section
from documents.extraction.encoding import decode_text
from documents.extraction.outline import Outline
from documents.extraction.titles import own_title

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
        soup = BeautifulSoup(_decoded(data), "lxml")
        page_title = _text(soup.title) if soup.title else ""
        for element in soup.find_all(_DROPPED):
            if element.name != "header" or not element.find_parent(_CONTENT):
                element.decompose()
        walker = _Walker()
        walker.walk(soup)
        sections = walker.sections()
        return Extracted(
            mime_type="text/html",
            sections=sections,
            page_count=0,
            title=own_title(page_title, walker.outline.first_title),
        )


class _Walker:
    """Reads the tree in document order; inline text accumulates until a block ends."""

    def __init__(self) -> None:
        self.outline = Outline()
        self.inline: list[str] = []

    def sections(self) -> list[Section]:
        self.flush()
        return self.outline.sections()

    def walk(self, root: Tag) -> None:
        """Depth first, in document order; `None` on the stack marks the end of a block."""
        stack: list[PageElement | None] = list(reversed(root.contents))
        while stack:
            node = stack.pop()
            if node is None:
                self.flush()
            elif isinstance(node, NavigableString):
                if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                    self.inline.append(_WHITESPACE.sub(" ", node))
            elif isinstance(node, Tag) and self.visit(node):
                if node.name in _BLOCKS:
                    self.flush()
                    stack.append(None)
                stack.extend(reversed(node.contents))

    def visit(self, tag: Tag) -> bool:
        """Read `tag` if it is read whole; True when its children are to be walked."""
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
        else:
            return True
        return False

    def flush(self) -> None:
        lines = "".join(self.inline).split("\n")  # only <br> made line breaks
        self.outline.add("\n".join(line.strip() for line in lines))
        self.inline = []


def _decoded(data: bytes) -> str:
    """The page as text, NUL characters dropped, undecodable bytes replaced by « � ».

    A legacy charset declared by a <meta> tag is followed; otherwise the page is decoded as
    a text file is, so that one bad byte in a UTF-8 page does not turn it all into
    Windows-1252 mojibake (what BeautifulSoup's own guess does).
    """
    text = None
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _decoded_as_declared(data)
    if text is None:
        text = decode_text(data)
    if text is None:
        text = data.decode("utf-8", "replace")
    return text.replace("\x00", "")


def _decoded_as_declared(data: bytes) -> str | None:
    """Decoded with the page's declared charset, unless it is Unicode (then guessed).

    Pages that claim UTF-16 without being so are common; UTF-8 is tried by `decode_text`.
    """
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    try:
        codec = codecs.lookup(declared or "")
    except LookupError:
        return None
    if codec.name.startswith(("utf-", "utf_")):
        return None
    return data.decode(codec.name, "replace")


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
