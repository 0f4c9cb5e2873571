"""Excel workbooks (.xlsx) with openpyxl: one or more sections per sheet, rows as text."""

import datetime
import io
from collections.abc import Iterator

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from documents.exceptions import DocumentRejected
from documents.extraction.base import ZIP_ERRORS, Extracted, Section
from documents.extraction.containers import check_container
from documents.extraction.tables import row_sections
from documents.extraction.titles import own_title

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# About 200,000 rows of 50 columns; reading them takes some seconds.
MAX_CELLS = 10_000_000


class XlsxExtractor:
    mime_types = (XLSX,)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        """Cached formula results are read, as Excel shows them; sheets are numbered from 1."""
        check_container(data)
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (*ZIP_ERRORS, InvalidFileException) as error:
            raise DocumentRejected(
                f"Classeur Excel illisible ou corrompu ({type(error).__name__} : {error})."
            ) from error
        sections: list[Section] = []
        cells = _CellBudget(MAX_CELLS)
        try:
            for number, sheet in enumerate(workbook.worksheets, start=1):
                sections += row_sections(cells.rows(sheet), heading=sheet.title, page=number)
        finally:
            workbook.close()
        return Extracted(
            mime_type=XLSX,
            sections=sections,
            page_count=len(workbook.worksheets),
            title=own_title(workbook.properties.title or ""),
        )


class _CellBudget:
    """The cells, empty ones included, still to read in a workbook.

    openpyxl pads every row to the width the sheet declares, and yields the rows a sheet
    skips: a file of two cells declaring A1:XFD1048576 would be 17 billion cells to read.
    Rows are read as wide as their last cell instead, and past the budget the workbook is
    refused rather than read for hours.
    """

    def __init__(self, cells: int) -> None:
        self.left = cells

    def rows(self, sheet: ReadOnlyWorksheet) -> Iterator[list[str]]:
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            self.left -= max(len(row), 1)
            if self.left < 0:
                raise DocumentRejected(
                    f"Classeur trop volumineux : plus de {MAX_CELLS // 1_000_000} millions de "
                    "cellules. Découpez-le en plusieurs fichiers puis déposez-les à nouveau."
                )
            yield [_cell_text(value) for value in row]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
