"""`manage.py benchmark`: the questions of a file answered by several providers, in a workbook."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from ai.llm.extractive import EXTRACTIVE_NOTICE
from chat.answer_benchmark import PROVIDER_COLUMNS, sources_summary
from chat.models import Conversation
from testing.openai_server import default_chat_answer, error_reply

TELEWORK = "Combien de jours de télétravail par semaine ?"
CANTEEN = "Quel est le prix du repas à la cantine ?"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def sheet_rows(path) -> list[list[object]]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_sources_fit_in_one_cell_with_their_pages():
    sources = [
        {"number": 1, "title": "Guide", "page": 3},
        {"number": 2, "title": "Note", "page": None},
    ]

    assert sources_summary(sources) == "[1] Guide, p. 3; [2] Note"


def run_benchmark(tmp_path, data: bytes, filename: str, *arguments: str) -> list[list[object]]:
    source = tmp_path / filename
    source.write_bytes(data)
    output = tmp_path / "answers.xlsx"
    call_command(
        "benchmark",
        "--input",
        str(source),
        "--output",
        str(output),
        "--user",
        "agent",
        *arguments,
        stdout=io.StringIO(),
        verbosity=0,
    )
    return sheet_rows(output)


def test_each_question_is_a_row_with_the_columns_of_each_provider(
    tmp_path, category, user, llm_server
):
    data = f"question\n{TELEWORK}\n{CANTEEN}\n".encode()

    header, *rows = run_benchmark(
        tmp_path,
        data,
        "questions.csv",
        *("--column", "question", "--category", category.slug),
        *("--providers", "default,extractive", "--concurrency", "3"),
    )

    assert header == [
        "question",
        *(f"default: {column}" for column in PROVIDER_COLUMNS),
        *(f"extractive: {column}" for column in PROVIDER_COLUMNS),
    ]
    assert [row[0] for row in rows] == [TELEWORK, CANTEEN]
    for row in rows:
        width = len(PROVIDER_COLUMNS)
        default = dict(zip(PROVIDER_COLUMNS, row[1 : 1 + width], strict=True))
        extractive = dict(zip(PROVIDER_COLUMNS, row[1 + width :], strict=True))
        assert default["answer"] == default_chat_answer(None)
        assert default["outcome"] == "generated"
        assert default["completion tokens"] > 0
        assert 0 < default["first token ms"] <= default["latency ms"]
        assert default["error"] is None
        assert 0 <= default["faithfulness"] <= 1
        assert extractive["answer"].startswith(EXTRACTIVE_NOTICE)
        assert extractive["outcome"] == "extractive"
        assert extractive["prompt tokens"] is None
        assert extractive["faithfulness"] is None  # quotes: not checked
    assert rows[0][2].startswith("[1] teletravail")
    assert rows[1][2].startswith("[1] cantine")


def test_the_faithfulness_column_is_the_share_of_sentences_not_flagged(
    tmp_path, category, user, llm_server
):
    llm_server.chat_answer = lambda request: (
        "Le prix du repas est de 4,50 euros pour les agents [1]. "
        "La cantine ferme à 15 h [1]. Le repas est pris en charge en partie par l'employeur [1]. "
        "Pensez à réserver votre repas la veille."
    )

    _, row = run_benchmark(
        tmp_path,
        f"question\n{CANTEEN}\n".encode(),
        "questions.csv",
        *("--column", "1", "--category", category.slug, "--providers", "default"),
    )

    answer = dict(zip(PROVIDER_COLUMNS, row[1:], strict=True))
    assert answer["faithfulness"] == 0.5  # a wrong hour, a sentence without citation


def test_questions_come_from_an_xlsx_column_given_by_number(tmp_path, category, user, extractive):
    data = xlsx([["id", "question"], [1, TELEWORK]])

    header, *rows = run_benchmark(
        tmp_path,
        data,
        "questions.xlsx",
        *("--column", "2", "--category", category.name, "--providers", "default"),
    )

    assert len(header) == 1 + len(PROVIDER_COLUMNS)
    assert [row[0] for row in rows] == [TELEWORK]
    assert rows[0][1].startswith(EXTRACTIVE_NOTICE)


def test_a_failed_answer_keeps_its_sources_and_error(tmp_path, category, user, llm_server):
    llm_server.failures = [error_reply(500, "boom")]

    _, row = run_benchmark(
        tmp_path,
        f"question\n{TELEWORK}\n".encode(),
        "questions.csv",
        *("--column", "1", "--category", category.slug, "--providers", "default"),
    )

    answer = dict(zip(PROVIDER_COLUMNS, row[1:], strict=True))
    assert "ne répond pas pour le moment" in answer["error"]
    assert answer["answer"] is None and answer["outcome"] is None
    assert answer["sources"].startswith("[1] teletravail")


def test_the_benchmark_leaves_no_conversation_behind(tmp_path, category, user, extractive):
    run_benchmark(
        tmp_path,
        f"question\n{TELEWORK}\n{CANTEEN}\n".encode(),
        "questions.csv",
        *("--column", "question", "--category", category.slug, "--providers", "default"),
    )

    assert not Conversation.objects.exists()


def test_an_unknown_column_is_a_command_error(tmp_path, category, user):
    with pytest.raises(CommandError, match="Pas de colonne « texte »"):
        run_benchmark(
            tmp_path,
            b"question\nA ?\n",
            "questions.csv",
            *("--column", "texte", "--category", category.slug, "--providers", "default"),
        )
