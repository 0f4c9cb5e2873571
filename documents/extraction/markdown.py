"""Markdown: sections split on headings, the syntax stripped down to readable text.

The patterns stop at the next mark of their kind (a link's text holds no bracket, an
emphasis no other emphasis mark, and spans at most 300 characters), so that reading a long
line takes time in proportion to its length: unbounded lazy patterns try every later
position from every opening mark, hours of work for a line of 400,000 « _a ».
"""

import re

from documents.extraction.base import Extracted, Section
from documents.extraction.encoding import read_text
from documents.extraction.outline import Outline
from documents.extraction.titles import own_title

_FRONT_MATTER = re.compile(r"\A---\n.*?\n(?:---|\.\.\.)\n", re.DOTALL)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_TABLE_DELIMITER = re.compile(r"^\s*(?:\|\s*)?:?-+:?\s*(?:\|\s*:?-+:?\s*)*(?:\|\s*)?$")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_BLOCKQUOTE = re.compile(r"^\s*(?:>\s?)+")
_INLINE = (
    (re.compile(r"!\[[^\[\]]*\](?:\([^()]*\)|\[[^\[\]]*\])"), ""),  # images
    (re.compile(r"\[([^\[\]]+)\](?:\([^()]*\)|\[[^\[\]]*\])"), r"\1"),  # links
    (re.compile(r"<((?:https?://|mailto:)[^<>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*)){1,300}?)(?<=\S)\*\*"), r"\1"),  # bold
    (re.compile(r"(?<!\w)__(?=\S)((?:[^_]|_(?!_)){1,300}?)(?<=\S)__(?!\w)"), r"\1"),  # bold, idem
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]{1,300}?)(?<=\S)\*(?![\w*])"), r"\1"),  # italic
    (re.compile(r"(?<!\w)_(?=\S)([^_]{1,300}?)(?<=\S)_(?!\w)"), r"\1"),  # italic, not snake_case
    (re.compile(r"~~((?:[^~]|~(?!~)){1,300}?)~~"), r"\1"),  # strikethrough
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
)
_COMMENT_START, _COMMENT_END = "<!--", "-->"


class MarkdownExtractor:
    mime_types = ("text/markdown",)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        text = _without_comments(_FRONT_MATTER.sub("", read_text(data)))
        parser = _Parser()
        for line in text.splitlines():
            parser.read(line)
        sections = parser.sections()
        return Extracted(
            mime_type="text/markdown",
            sections=sections,
            page_count=0,
            title=own_title(parser.outline.first_title),
        )


class _Parser:
    """Line by line: paragraphs end at blank lines, code fences are kept verbatim."""

    def __init__(self) -> None:
        self.outline = Outline()
        self.paragraph: list[str] = []
        self.fence = ""

    def read(self, line: str) -> None:
        if self.fence:
            self._read_code(line)
        elif fence := _FENCE.match(line):
            self._flush()
            self.fence = fence[1]
        elif heading := _ATX_HEADING.match(line):
            self._flush()
            self.outline.heading(len(heading[1]), _strip_inline(heading[2] or ""))
        elif underline := _SETEXT_UNDERLINE.match(line):
            self._read_underline(underline[1])
        elif not line.strip():
            self._flush()
        elif not (_TABLE_DELIMITER.match(line) or _LINK_DEFINITION.match(line)):
            row = _TABLE_ROW.match(line)
            self.paragraph.append(row[1].strip() if row else _BLOCKQUOTE.sub("", line))

    def sections(self) -> list[Section]:
        self._flush(verbatim=bool(self.fence))
        return self.outline.sections()

    def _read_code(self, line: str) -> None:
        if line.strip().startswith(self.fence) and not line.strip(self.fence[0]).strip():
            self._flush(verbatim=True)
            self.fence = ""
        else:
            self.paragraph.append(line)

    def _read_underline(self, underline: str) -> None:
        """A paragraph over "===" or "---" is a heading; "---" alone or under a list is a rule."""
        if self.paragraph and not _LIST_ITEM.match(self.paragraph[0]):
            title = _strip_inline(" ".join(self.paragraph))
            self.paragraph = []
            self.outline.heading(1 if underline[0] == "=" else 2, title)
        elif underline[0] == "-":
            self._flush()
        else:
            self.paragraph.append(underline)

    def _flush(self, *, verbatim: bool = False) -> None:
        lines = self.paragraph if verbatim else map(_strip_inline, self.paragraph)
        self.outline.add("\n".join(lines))
        self.paragraph = []


def _strip_inline(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def _without_comments(text: str) -> str:
    """The text without its HTML comments; an unclosed one is kept as text."""
    parts, position = [], 0
    while (start := text.find(_COMMENT_START, position)) != -1:
        end = text.find(_COMMENT_END, start + len(_COMMENT_START))
        if end == -1:
            break
        parts.append(text[position:start])
        position = end + len(_COMMENT_END)
    parts.append(text[position:])
    return "".join(parts)
