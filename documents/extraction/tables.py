"""Rows of a table as self-describing lines ("Nom: Dupont ; Service: Paie") in sections."""

from collections.abc import Iterable, Sequence
from itertools import islice

from documents.extraction.base import Section

# A passage of ~50 rows keeps sections a readable size while each row stays whole.
ROWS_PER_SECTION = 50


def row_sections(
    rows: Iterable[Sequence[str]], *, heading: str = "", page: int | None = None
) -> list[Section]:
    """Sections of the rows after the first non-empty one, which names the columns.

    Each row is rendered "header1: value1 ; header2: value2", so that a passage found by
    search still says what its numbers are.
    """
    filled = (row for row in rows if any(cell.strip() for cell in row))
    headers = [header.strip() for header in next(filled, [])]
    lines = (render_row(headers, row) for row in filled)
    sections = []
    while group := list(islice(lines, ROWS_PER_SECTION)):
        sections.append(Section("\n".join(group), page=page, heading=heading))
    return sections


def render_row(headers: Sequence[str], row: Sequence[str]) -> str:
    cells = []
    for index, value in enumerate(row):
        value = " ".join(value.split())
        if not value:
            continue
        header = headers[index] if index < len(headers) else ""
        cells.append(f"{header}: {value}" if header else value)
    return " ; ".join(cells)
