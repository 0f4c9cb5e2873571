"""What every extractor returns, and the protocol an extractor implements."""

import zipfile
import zlib
from dataclasses import dataclass
from typing import Protocol

# What reading a damaged ZIP container (.docx, .xlsx, OpenDocument) raises.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, KeyError)


@dataclass(frozen=True)
class Section:
    """A passage of a document, with where it comes from."""

    text: str
    page: int | None = None  # 1-based page, sheet or slide number; None when not paged
    heading: str = ""  # heading trail, e.g. "Congés > Congés annuels > Report"


@dataclass(frozen=True)
class Extracted:
    mime_type: str
    sections: list[Section]
    page_count: int  # pages of a PDF, sheets of a workbook, slides of a presentation; else 0
    title: str = ""  # the title the document gives itself (`extraction.titles`), if any


class Extractor(Protocol):
    mime_types: tuple[str, ...]

    def extract(self, data: bytes, *, filename: str) -> Extracted: ...
