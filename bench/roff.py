"""Man pages in roff source (the `man` macros) rendered to Markdown, their NAME line apart.

Enough of roff for the Linux man-pages and their French translation: sections, paragraphs,
font macros, tagged paragraphs, no-fill blocks (as fenced code), tbl tables (one row a
line) and the common escapes. Conditionals, macro and register definitions are dropped.
No groff needed, and the rendering is the same on every machine.
"""

import re
from dataclasses import dataclass, field

NAME_HEADINGS = ("NAME", "NOM")

_SPECIAL_CHARACTERS = {
    "aq": "'",
    "bu": "•",
    "co": "©",
    "cq": "'",
    "dq": '"',
    "em": "—",
    "en": "\u2013",  # en dash
    "ga": "`",
    "ha": "^",
    "hy": "-",
    "lq": "“",
    "mi": "-",
    "mu": "\u00d7",  # multiplication sign
    "oq": "'",
    "rg": "®",
    "rq": "”",
    "ti": "~",
    "tm": "™",
    "Fo": "«",
    "Fc": "»",
    "dg": "†",
    "de": "°",
    "<=": "≤",
    ">=": "≥",
    "!=": "≠",
    "->": "→",
    "<-": "←",
    "rs": "\\",
    "sl": "/",
    "pl": "+",
    "eq": "=",
    "or": "|",
    "ba": "|",
}
_ESCAPE = re.compile(
    r"""\\(?:
        \((?P<short>..)                      # \(xx special character
      | \[(?P<long>[^\]]*)\]                 # \[name] special character
      | \*(?:\((?P<s2>..)|\[(?P<sl>[^\]]*)\]|(?P<s1>.))   # \*x \*(xx \*[name] strings
      | f(?:\(..|\[[^\]]*\]|.)               # \fB \f(CW \f[CR] font changes
      | s[-+]?\d                             # \s-1 size changes
      | [nk](?:\(..|\[[^\]]*\]|.)            # \nX registers, \kX marks
      | [hvwoblLDxXNZRC]'[^']*'              # \h'..' motions, widths and the like
      | (?P<char>.)                          # \- \e \& \  ...
    )""",
    re.VERBOSE,
)
_ONE_CHARACTER_ESCAPES = {
    "-": "-",
    "e": "\\",
    "\\": "\\",
    " ": " ",
    "~": " ",
    "0": " ",
    "t": "\t",
    ".": ".",
    "'": "'",
    "`": "`",
}
_STRINGS = {"lq": "“", "rq": "”", "R": "®", "Tm": "™", "dg": "†"}
_NAME_SEPARATOR = re.compile(
    r"\s*\\(?:-|\(en|\[en\]|\(em|\[em\])(?:\s|\\ )+"  # roff dashes: "\-", "\(en"...
    r"|\s[\u2013—-]\s"  # or a typed one, as in some translations
)

# Requests that only break the line (or do nothing visible) in rendered text.
_BREAKS = {"PP", "P", "LP", "sp", "br", "HP", "ne", "bp"}
_REQUEST = re.compile(r"[.']\s*(?P<name>\S+)\s*(?P<arguments>.*)")
_BLOCK_START = {"de", "de1", "am", "ig"}
_JOINED_FONTS = {"BR", "RB", "IR", "RI", "BI", "IB"}
_SPACED_FONTS = {"B", "I", "SM", "SB", "SY", "OP", "UR", "MT"}


class ManPageError(ValueError):
    """A man page this renderer cannot use (a `.so` redirect, mdoc, no NAME line)."""


@dataclass(frozen=True)
class ManPage:
    title: str
    names: str
    description: str
    text: str  # Markdown, without the NAME section


def parse_man_page(source: str, *, title: str) -> ManPage:
    """Split a man page into its NAME line (names, description) and the rest, rendered.

    Raises ManPageError for a `.so` redirect, an mdoc page or a page without a NAME/NOM
    line.
    """
    lines = source.splitlines()
    if is_redirect(lines):
        raise ManPageError(f"{title} only redirects to another page.")
    if any(line.startswith((".Dd", ".Sh ")) for line in lines):
        raise ManPageError(f"{title} is written with the mdoc macros, not man.")
    sections = _split_sections(lines)
    name_lines = next(
        (body for heading, body in sections if heading.upper() in NAME_HEADINGS), None
    )
    if name_lines is None:
        raise ManPageError(f"{title} has no NAME section.")
    names, description = _split_name_line(" ".join(_text_lines(name_lines)))
    if not description:
        raise ManPageError(f"{title} has no description in its NAME section.")
    body = [
        line
        for heading, section in sections
        if heading.upper() not in NAME_HEADINGS
        for line in ([f".SH {heading}"] if heading else []) + section
    ]
    return ManPage(
        title=title,
        names=names,
        description=description,
        text=f"# {title}\n\n" + render(body),
    )


def is_redirect(lines: list[str]) -> bool:
    """A page whose whole content is `.so other/page.N`."""
    content = [line for line in lines if line.strip() and not _is_comment(line)]
    return bool(content) and all(line.startswith(".so ") for line in content)


def render(lines: list[str]) -> str:
    """roff source to Markdown: `##` sections, `###` subsections, fenced no-fill blocks."""
    return _Renderer().render(lines)


def inline(text: str) -> str:
    """A line of roff text with its escapes resolved and its fonts dropped."""
    text = re.sub(r'\\".*$', "", text)
    return _ESCAPE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    if name := match["short"] or match["long"]:
        return _SPECIAL_CHARACTERS.get(name, "")
    if name := match["s2"] or match["sl"] or match["s1"]:
        return _STRINGS.get(name, "")
    if char := match["char"]:
        return _ONE_CHARACTER_ESCAPES.get(char, "")
    return ""


def _is_comment(line: str) -> bool:
    return line.startswith(('.\\"', "'\\\"", '.\\\\"')) or line.strip() in (".", "'")


def _request(line: str) -> tuple[str, list[str]] | None:
    """(`name`, arguments) of a request line such as `.BR "a b" c`, else None."""
    if _is_comment(line) or not (request := _REQUEST.match(line)):
        return None
    return request["name"], _arguments(re.sub(r'\\".*$', "", request["arguments"]))


def _arguments(text: str) -> list[str]:
    """roff arguments: space-separated, "quoted with spaces", `""` inside quotes is `"`."""
    arguments, current, quoted, index = [], "", False, 0
    started = False
    while index < len(text):
        char = text[index]
        if quoted and char == '"' and text[index + 1 : index + 2] == '"':
            current += '"'
            index += 1
        elif char == '"' and (quoted or not current):
            quoted, started = not quoted, True
        elif char in " \t" and not quoted:
            if started or current:
                arguments.append(current)
            current, started = "", False
        else:
            current += char
            started = True
        index += 1
    if started or current:
        arguments.append(current)
    return arguments


def _split_sections(lines: list[str]) -> list[tuple[str, list[str]]]:
    """[(heading, lines)] at each `.SH`; the lines before the first one under ""."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    pending_heading = False
    for line in lines:
        request = _request(line)
        if request and request[0] == "SH":
            heading = " ".join(request[1])
            pending_heading = not heading
            sections.append((inline(heading).strip(), []))
        elif pending_heading and not _is_comment(line):
            sections[-1] = (inline(line).strip(), [])
            pending_heading = False
        else:
            sections[-1][1].append(line)
    return sections


def _text_lines(lines: list[str]) -> list[str]:
    """The raw text of a few lines (for the NAME line), font requests unwrapped."""
    texts = []
    for line in lines:
        request = _request(line)
        if request is None:
            if not _is_comment(line):
                texts.append(line)
        elif request[0] in _SPACED_FONTS:
            texts.append(" ".join(request[1]))
        elif request[0] in _JOINED_FONTS:
            texts.append("".join(request[1]))
    return texts


def _split_name_line(line: str) -> tuple[str, str]:
    """`printf, fprintf \\- formatted output` → ("printf, fprintf", "formatted output")."""
    parts = _NAME_SEPARATOR.split(line, maxsplit=1)
    if len(parts) < 2:
        return " ".join(inline(line).split()), ""
    names, description = (" ".join(inline(part).split()) for part in parts)
    return names, description


class _Renderer:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.paragraph: list[str] = []
        self.verbatim: list[str] | None = None
        self.skip_until: str | None = None
        self.table: _Table | None = None
        self.tag_next = False  # after .TP, the next line is the tag: a line of its own

    def render(self, lines: list[str]) -> str:
        for line in lines:
            self.read(line)
        self.end_verbatim()
        self.flush()
        return "\n\n".join(self.blocks) + "\n"

    def read(self, line: str) -> None:
        if self.skip_until is not None:
            if line.strip().startswith(self.skip_until):
                self.skip_until = None
            return
        if self.table is not None:
            self.read_table(line)
            return
        if _is_comment(line):
            return
        request = _request(line)
        if request is None:
            self.text(inline(line))
        else:
            self.request(*request, line=line)

    def request(self, name: str, arguments: list[str], *, line: str) -> None:
        text = " ".join(arguments)
        if name in ("SH", "SS"):
            self.end_verbatim()
            self.flush()
            self.blocks.append(("## " if name == "SH" else "### ") + inline(text).strip())
        elif name in ("nf", "EX"):
            self.flush()
            if self.verbatim is None:
                self.verbatim = []
        elif name in ("fi", "EE"):
            self.end_verbatim()
        elif name == "TP":
            self.flush()
            self.tag_next = True
        elif name == "IP":
            self.flush()
            if arguments and arguments[0]:
                self.text(inline(arguments[0]))
        elif name in _BREAKS:
            self.flush()
        elif name in _JOINED_FONTS:
            self.text(inline("".join(arguments)))
        elif name in _SPACED_FONTS:
            self.text(inline(text))
        elif name == "TS":
            self.flush()
            self.table = _Table()
        elif name in _BLOCK_START:
            self.skip_until = ".."
        elif name in ("if", "ie", "el") and "\\{" in line:
            self.skip_until = "\\}" if "\\}" not in line else None
        # Anything else (.TH, .RS, .in, .ad, unknown macros…) has no text of its own.

    def text(self, text: str) -> None:
        if self.verbatim is not None:
            self.verbatim.append(text.rstrip())
        elif text.strip() and self.tag_next:
            self.blocks.append(" ".join(text.split()))
            self.tag_next = False
        elif text.strip():
            self.paragraph.append(" ".join(text.split()))

    def flush(self) -> None:
        if self.paragraph:
            self.blocks.append(" ".join(self.paragraph))
            self.paragraph = []

    def end_verbatim(self) -> None:
        if self.verbatim is None:
            return
        lines, self.verbatim = self.verbatim, None
        while lines and not lines[-1].strip():
            lines.pop()
        if any(line.strip() for line in lines):
            self.blocks.append("```\n" + "\n".join(lines).replace("```", "'''") + "\n```")

    def read_table(self, line: str) -> None:
        """tbl: options ending in `;`, formats up to the line ending in `.`, then rows."""
        assert self.table is not None
        table = self.table
        request = _request(line)
        if request and request[0] == "TE":
            if table.rows:
                self.blocks.append("\n".join(table.rows))
            self.table = None
        elif not table.started and line.rstrip().endswith(";"):
            separator = re.search(r"tab\s*\((.)\)", line)
            table.separator = separator[1] if separator else "\t"
            table.started = True
        elif table.in_format:
            table.started = True
            table.in_format = not line.rstrip().endswith(".")
        elif request and request[0] == "T&":
            table.in_format = True
        elif not (_is_comment(line) or line.strip() in ("_", "=")):
            # A T{ … T} cell spans lines: gather the row until its last cell is closed.
            row = " ".join(part for part in [table.pending, *_text_lines([line])] if part)
            if not row.strip():
                return
            if row.count("T{") > row.count("T}"):
                table.pending = row
                return
            table.pending = ""
            cells = row.replace("T{", "").replace("T}", "").split(table.separator)
            table.rows.append(" | ".join(" ".join(inline(cell).split()) for cell in cells))


@dataclass
class _Table:
    separator: str = "\t"
    started: bool = False
    in_format: bool = True
    rows: list[str] = field(default_factory=list)
    pending: str = ""
