"""Question files: CSV, XLSX or JSONL, read the same way by `evaluate` and `benchmark`."""

import io

import pytest
from openpyxl import Workbook

from common.question_files import QuestionFileError, read_question_column

TELEWORK = "Combien de jours de télétravail par semaine ?"
CANTEEN = "Quel est le prix du repas à la cantine ?"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def test_a_csv_column_is_found_by_its_header_whatever_the_case_and_delimiter():
    data = f"id;Question posée\n1;{TELEWORK}\n2;\n3;{CANTEEN}\n".encode()

    questions = read_question_column(data, filename="q.csv", column="question posée")

    assert questions == [TELEWORK, CANTEEN]


def test_an_xlsx_column_is_found_by_its_number_from_one():
    data = xlsx([["id", "texte"], [1, TELEWORK], [2, None], [3, CANTEEN]])

    assert read_question_column(data, filename="q.xlsx", column="2") == [TELEWORK, CANTEEN]


def test_a_header_wins_over_a_column_number():
    data = b"2,question\nnot this,nor this\n"

    assert read_question_column(data, filename="q.csv", column="2") == ["not this"]


def test_an_unknown_column_lists_the_columns_of_the_file():
    with pytest.raises(
        QuestionFileError, match=r"Pas de colonne « texte ».*1 « id », 2 « question »"
    ):
        read_question_column(b"id,question\n1,a\n", filename="q.csv", column="texte")


def test_a_column_number_beyond_the_last_is_unknown():
    with pytest.raises(QuestionFileError, match="Pas de colonne « 3 »"):
        read_question_column(b"id,question\n1,a\n", filename="q.csv", column="3")


def test_other_formats_are_refused():
    with pytest.raises(QuestionFileError, match="CSV, XLSX ou JSONL"):
        read_question_column(b"{}", filename="q.json", column="1")


def test_a_jsonl_file_gives_its_keys_as_columns():
    data = b'{"question": "a", "n": 1}\n\n{"n": 2, "question": "b"}\n'

    assert read_question_column(data, filename="q.jsonl", column="question") == ["a", "b"]
