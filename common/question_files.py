"""Files of questions as admins write them: CSV (`,` `;` or tab), XLSX (first sheet), JSONL.

One reader for every command and page that takes such a file: `evaluate` and the
backoffice's evaluation page (questions and what each should find, and questions that
should find nothing), `benchmark` (a column of questions). A file is read as a `Table`:
its header and its lines, every cell as single-spaced text.
"""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from common.errors import UserError

DELIMITERS = (";", ",", "\t")
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


class QuestionFileError(UserError):
    """The file cannot be read as questions: its format, its encoding, a missing column."""

    code = "invalid"


@dataclass(frozen=True)
class Table:
    header: list[str]
    lines: list[list[str]]
    first_line: int
    """The number of the first line in the file, as a person counts: 2 below a header."""

    def column(self, wanted: str) -> int | None:
        """The index of the column named `wanted`, case and surrounding spaces aside."""
        names = [name.strip().lower() for name in self.header]
        key = wanted.strip().lower()
        return names.index(key) if key in names else None

    def cells(self, index: int) -> list[str]:
        """Column `index` of every line ("" where a line is shorter)."""
        return [line[index] if index < len(line) else "" for line in self.lines]

    def listing(self) -> str:
        """The columns, numbered from 1, for a message saying which exist."""
        return ", ".join(f"{number} « {name} »" for number, name in enumerate(self.header, 1))


def read_table(data: bytes, *, filename: str) -> Table:
    """The table of a question file; raises `QuestionFileError` for another format or a
    file that is not what its name says."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xlsx":
        return _from_lines(_xlsx_lines(data))
    if suffix in TABLE_SUFFIXES:
        return _from_lines(_csv_lines(_decode(data)))
    if suffix in JSONL_SUFFIXES:
        return _jsonl_table(_decode(data))
    raise QuestionFileError(
        _("Format de fichier non pris en charge (« %(suffix)s ») : CSV, XLSX ou JSONL."),
        {"suffix": suffix or _("sans extension")},
    )


def read_question_column(data: bytes, *, filename: str, column: str) -> list[str]:
    """The non-empty cells of `column` of a question file.

    `column` is a header (case and surrounding spaces aside) or, failing that, a column
    number from 1. Raises `QuestionFileError` for another format or an unknown column.
    """
    table = read_table(data, filename=filename)
    index = table.column(column)
    if index is None and column.strip().isdigit() and 1 <= int(column) <= len(table.header):
        index = int(column) - 1
    if index is None:
        raise QuestionFileError(
            _("Pas de colonne « %(column)s » dans %(file)s (colonnes : %(columns)s)."),
            {"column": column, "file": filename, "columns": table.listing() or _("aucune")},
        )
    return [cell for cell in table.cells(index) if cell]


def _from_lines(lines: list[list[str]]) -> Table:
    header, *rest = lines or [[]]
    return Table(header=header, lines=rest, first_line=2)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on French Windows is Windows-1252.
        return data.decode("cp1252", errors="replace")


def _csv_lines(text: str) -> list[list[str]]:
    header = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count) if any(d in header for d in DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[cell(value) for value in line] for line in reader]


def _xlsx_lines(data: bytes) -> list[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is no workbook
        raise QuestionFileError(
            _("Fichier XLSX illisible : %(error)s."), {"error": error}
        ) from error
    try:
        return [
            [cell(value) for value in row]
            for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def _jsonl_table(text: str) -> Table:
    """One JSON object a line; the columns are their keys, in the order first seen."""
    objects = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise QuestionFileError(
                _("Ligne %(line)s : JSON invalide (%(error)s)."),
                {"line": number, "error": error.msg},
            ) from error
        if not isinstance(value, dict):
            raise QuestionFileError(
                _("Ligne %(line)s : un objet JSON est attendu."), {"line": number}
            )
        objects.append(value)
    header = list(dict.fromkeys(str(key) for value in objects for key in value))
    lines = [[cell(value.get(name)) for name in header] for value in objects]
    return Table(header=header, lines=lines, first_line=1)


def cell(value: object) -> str:
    """A cell as text: single-spaced, 3.0 as "3", nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
