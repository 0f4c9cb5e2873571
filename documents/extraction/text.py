"""Plain text and CSV files."""

import csv
import io

from documents.exceptions import DocumentRejected
from documents.extraction.base import Extracted, Section
from documents.extraction.encoding import read_text
from documents.extraction.tables import row_sections

# Most frequent first in French exports: Excel writes ";" where the decimal mark is ",".
_DELIMITERS = (";", ",", "\t", "|")


class PlainTextExtractor:
    mime_types = ("text/plain",)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        """One section, or one per page when the text has form feeds (printer output)."""
        pages = read_text(data).split("\f")
        if len(pages) == 1:
            return Extracted(mime_type="text/plain", sections=[Section(pages[0])], page_count=0)
        sections = [Section(text, page=number) for number, text in enumerate(pages, start=1)]
        return Extracted(mime_type="text/plain", sections=sections, page_count=len(pages))


class CsvExtractor:
    mime_types = ("text/csv",)

    def extract(self, data: bytes, *, filename: str) -> Extracted:
        text = read_text(data)
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        try:
            sections = row_sections(rows)
        except csv.Error as error:  # a field over csv.field_size_limit(): an unclosed quote
            raise DocumentRejected(
                f"Fichier CSV mal formé ({error}) : un guillemet n'est sans doute pas fermé."
            ) from error
        return Extracted(mime_type="text/csv", sections=sections, page_count=0)


def _delimiter(text: str) -> str:
    """The delimiter found most often in the header line.

    Column names seldom hold commas or quotes, so the header is a reliable sample, and unlike
    csv.Sniffer this never fails (a one-column file gets ";", harmlessly).
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max(_DELIMITERS, key=header.count)
