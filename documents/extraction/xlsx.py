"""Excel workbooks (.xlsx) with openpyxl: one or more sections per sheet, rows as text."""

import datetime
import io
from collections.abc import Iterator

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from documents.exceptions import DocumentRejected
from documents.extraction.base import ZIP_ERRORS, Extracted, Section
from documents.extraction.tables import row_sections

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxExtractor:
    mime_types = (XLSX,)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        """Cached formula results are read, as Excel shows them; sheets are numbered from 1."""
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (*ZIP_ERRORS, InvalidFileException) as error:
            raise DocumentRejected(
                f"Classeur Excel illisible ou corrompu ({type(error).__name__} : {error})."
            ) from error
        sections: list[Section] = []
        try:
            for number, sheet in enumerate(workbook.worksheets, start=1):
                sections += row_sections(_rows(sheet), heading=sheet.title, page=number)
        finally:
            workbook.close()
        return Extracted(mime_type=XLSX, sections=sections, page_count=len(workbook.worksheets))


def _rows(sheet: ReadOnlyWorksheet) -> Iterator[list[str]]:
    for row in sheet.iter_rows(values_only=True):
        yield [_cell_text(value) for value in row]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
