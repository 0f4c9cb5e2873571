"""Document hints: short texts an admin attaches to some pages of a document.

The syntax of the original deployment, one hint per line or separated by ";":
    page 3 : barème 2024
    pages 4 à 7 : annexe financière
    toutes pages : circulaire DGS n°2024-12
A hint that does not parse is reported and skipped; it never stops indexing.
"""

import re
from dataclasses import dataclass

# At most 9 digits: int() refuses strings of over 4300 digits, and no document has more pages.
_ONE_PAGE = re.compile(r"^pages?\s*(\d{1,9})\s*:\s*(.+)$", re.IGNORECASE | re.DOTALL)
_PAGE_RANGE = re.compile(
    r"^pages?\s*(\d{1,9})\s*(?:à|a|-|\u2013|au)\s*(\d{1,9})\s*:\s*(.+)$",
    re.IGNORECASE | re.DOTALL,
)
_ALL_PAGES = re.compile(
    r"^(?:toutes\s+(?:les\s+)?pages|tout\s+le\s+document)\s*:\s*(.+)$",
    re.IGNORECASE | re.DOTALL,
)
_SEPARATORS = re.compile(r"[;\n]+")
EXPECTED = "« page N : texte », « pages A à B : texte » ou « toutes pages : texte »"


@dataclass(frozen=True)
class Hint:
    text: str
    first_page: int | None = None  # None: every page
    last_page: int | None = None

    def covers(self, page: int | None) -> bool:
        if self.first_page is None:
            return True
        return page is not None and self.first_page <= page <= (self.last_page or 0)


@dataclass(frozen=True)
class ParsedHints:
    hints: list[Hint]
    errors: list[str]

    def for_page(self, page: int | None) -> str:
        """The texts of the hints that apply to `page`, joined; "" when none."""
        return " ; ".join(hint.text for hint in self.hints if hint.covers(page))


def parse_hints(raw: str) -> ParsedHints:
    hints: list[Hint] = []
    errors: list[str] = []
    for part in _SEPARATORS.split(raw or ""):
        entry = " ".join(part.split())
        if not entry:
            continue
        hint = _parse_one(entry)
        if hint is None:
            errors.append(f"Indication ignorée : « {entry} » (attendu {EXPECTED}).")
        else:
            hints.append(hint)
    return ParsedHints(hints=hints, errors=errors)


def _parse_one(entry: str) -> Hint | None:
    if match := _ALL_PAGES.match(entry):
        return Hint(text=match[1].strip())
    if match := _PAGE_RANGE.match(entry):
        first, last = int(match[1]), int(match[2])
        if first < 1 or last < first:
            return None
        return Hint(text=match[3].strip(), first_page=first, last_page=last)
    if match := _ONE_PAGE.match(entry):
        page = int(match[1])
        return Hint(text=match[2].strip(), first_page=page, last_page=page) if page >= 1 else None
    return None
