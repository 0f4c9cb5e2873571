"""Retrieval evaluation without a database: metrics, hits, question files, the report."""

import csv
import io
import json

import pytest
from openpyxl import Workbook

from ai import evaluation
from ai.evaluation import (
    Case,
    Evaluation,
    Question,
    QuestionFileError,
    QuestionOutcome,
    Scope,
    evaluate,
    first_hit_rank,
    mean_reciprocal_rank,
    mode_metrics,
    read_questions,
    recall_at,
    report_csv,
)
from ai.retrieval import Mode, Result

# Five questions: found 1st, 3rd, not at all, 7th and 2nd.
RANKS = [1, 3, None, 7, 2]


def result(document_id: int, text: str = "", filename: str = "", score: float = 1.0) -> Result:
    return Result(
        id=f"p{document_id}",
        score=score,
        kind="document",
        category_id=1,
        document_id=document_id,
        correction_id=None,
        title=f"Document {document_id}",
        filename=filename or f"doc{document_id}.pdf",
        page=1,
        heading="",
        text=text,
        highlighted=text,
    )


def test_recall_at_k_is_the_share_of_questions_ranked_k_or_better():
    assert recall_at(RANKS, 1) == pytest.approx(1 / 5)
    assert recall_at(RANKS, 5) == pytest.approx(3 / 5)
    assert recall_at(RANKS, 10) == pytest.approx(4 / 5)


def test_mrr_averages_reciprocal_ranks_with_zero_for_the_missed():
    expected = (1 / 1 + 1 / 3 + 0 + 1 / 7 + 1 / 2) / 5  # 0.3952…
    assert mean_reciprocal_rank(RANKS) == pytest.approx(expected)
    assert mean_reciprocal_rank(RANKS) == pytest.approx(0.395238, abs=1e-6)


def test_a_rank_beyond_the_depth_counts_as_a_miss_for_mrr():
    assert mean_reciprocal_rank([12, 1], depth=10) == pytest.approx(0.5)


def test_metrics_of_no_question_are_zero():
    metrics = mode_metrics(Mode.BM25, [])
    assert metrics.questions == 0
    assert metrics.recall == {1: 0.0, 5: 0.0, 10: 0.0}
    assert metrics.mrr == 0.0


def test_mode_metrics_gathers_recalls_and_mrr():
    metrics = mode_metrics(Mode.DENSE, RANKS)
    assert metrics.questions == 5
    assert metrics.recall == pytest.approx({1: 0.2, 5: 0.6, 10: 0.8})
    assert metrics.mrr == pytest.approx(0.395238, abs=1e-6)


def test_the_rank_is_that_of_the_first_passage_of_the_expected_document():
    results = [result(4), result(7), result(4), result(9)]
    assert first_hit_rank(results, Case(Question("q"), frozenset({9}))) == 4
    assert first_hit_rank(results, Case(Question("q"), frozenset({7, 9}))) == 2
    assert first_hit_rank(results, Case(Question("q"), frozenset({5}))) is None


def test_an_expected_answer_is_found_case_and_accent_insensitively():
    results = [result(1, "Rien à voir."), result(2, "Le report des CONGES est possible.")]
    case = Case(Question("q", expected_answer="report des congés"))
    assert first_hit_rank(results, case) == 2


def test_with_both_the_passage_must_come_from_the_document_and_contain_the_answer():
    results = [result(1, "deux jours"), result(2, "autre"), result(2, "deux jours par semaine")]
    case = Case(Question("q", expected_answer="Deux jours."), frozenset({2}))
    assert first_hit_rank(results, case) == 3


def test_evaluate_ranks_each_question_in_each_mode(monkeypatch):
    rankings = {
        ("congés", Mode.BM25): [result(1), result(2)],
        ("congés", Mode.DENSE): [result(2), result(1)],
        ("frais", Mode.BM25): [result(2)],
        ("frais", Mode.DENSE): [result(3, filename="frais.pdf")],
    }

    def search(query, *, category_ids, limit, mode, reranker):
        assert category_ids == [5] and limit == 10 and reranker is None
        return rankings[query, mode]

    monkeypatch.setattr(evaluation, "search_passages", search)
    cases = [
        Case(Question("congés", "conges.pdf"), frozenset({1})),
        Case(Question("frais", "frais.pdf"), frozenset({3})),
    ]
    progress: list[int] = []
    evaluated = evaluate(
        cases, category_ids=[5], modes=[Mode.BM25, Mode.DENSE], on_progress=progress.append
    )
    assert progress == [1, 2]
    assert [outcome.ranks for outcome in evaluated.outcomes] == [
        {Mode.BM25: 1, Mode.DENSE: 2},
        {Mode.BM25: None, Mode.DENSE: 1},
    ]
    assert evaluated.outcomes[1].top_documents == {Mode.BM25: "doc2.pdf", Mode.DENSE: "frais.pdf"}
    bm25, dense = evaluated.metrics
    assert (bm25.recall[1], bm25.mrr) == (0.5, 0.5)
    assert (dense.recall[1], dense.recall[5], dense.mrr) == (0.5, 1.0, 0.75)


def test_the_report_has_a_row_per_question_with_empty_ranks_when_missed(monkeypatch):
    monkeypatch.setattr(
        evaluation, "search_passages", lambda query, **kwargs: [result(1, filename="a.pdf")]
    )
    cases = [
        Case(Question("trouvé", "a.pdf"), frozenset({1})),
        Case(Question("raté", "b.pdf"), frozenset({2})),
    ]
    rows = list(csv.DictReader(io.StringIO(report_csv(evaluate(cases, category_ids=None)))))
    assert list(rows[0]) == [
        "question",
        "expected",
        "rank_bm25",
        "rank_dense",
        "rank_hybrid",
        "top_bm25",
        "top_dense",
        "top_hybrid",
    ]
    assert rows[0]["rank_hybrid"] == "1" and rows[0]["top_dense"] == "a.pdf"
    assert rows[1]["question"] == "raté" and rows[1]["expected"] == "b.pdf"
    assert rows[1]["rank_bm25"] == rows[1]["rank_dense"] == rows[1]["rank_hybrid"] == ""


def read(data: bytes, filename: str, **columns) -> list[Question]:
    return read_questions(data, filename=filename, **columns)


def test_a_semicolon_csv_with_a_bom_is_read():
    data = "\ufeffQuestion;Expected_Document\nCongés ?;guide.pdf\n;vide.pdf\n".encode()
    assert read(data, "q.csv") == [Question("Congés ?", "guide.pdf", "", row=2)]


def test_a_comma_csv_with_answers_and_quoted_commas_is_read():
    data = b'question,expected_answer\n"Combien, au juste ?","deux jours, pas plus"\n'
    (question,) = read(data, "q.csv")
    assert question.text == "Combien, au juste ?"
    assert question.expected_answer == "deux jours, pas plus"
    assert question.expected == "deux jours, pas plus"


def test_a_windows_1252_csv_is_read_too():
    (question,) = read("question;expected_document\nCongés;a.pdf\n".encode("cp1252"), "q.csv")
    assert question.text == "Congés"


def test_columns_chosen_by_the_admin_are_used():
    data = b"intitule;fichier\nFrais ?;frais.pdf\n"
    (question,) = read(data, "q.csv", question_column="Intitule", document_column="fichier")
    assert (question.text, question.expected_document) == ("Frais ?", "frais.pdf")


def test_a_jsonl_file_is_read():
    lines = [
        json.dumps({"question": "Congés ?", "expected_document": "guide.pdf"}),
        "",
        json.dumps({"question": "Frais ?", "expected_answer": "un mois"}),
    ]
    questions = read("\n".join(lines).encode(), "q.jsonl")
    assert [(q.text, q.expected_document, q.expected_answer) for q in questions] == [
        ("Congés ?", "guide.pdf", ""),
        ("Frais ?", "", "un mois"),
    ]
    assert questions[0].row == 1


def test_the_first_sheet_of_an_xlsx_file_is_read():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["question", "expected_document", "expected_answer"])
    sheet.append(["Congés ?", "guide.pdf", None])
    sheet.append(["Jours ?", None, 2.0])
    workbook.create_sheet("Autre").append(["question", "expected_document"])
    data = io.BytesIO()
    workbook.save(data)
    questions = read(data.getvalue(), "questions.xlsx")
    assert [(q.text, q.expected_document, q.expected_answer) for q in questions] == [
        ("Congés ?", "guide.pdf", ""),
        ("Jours ?", "", "2"),
    ]


def test_a_file_without_the_question_column_is_refused():
    with pytest.raises(QuestionFileError, match=r"« question ».*intitule"):
        read(b"intitule;expected_document\na;b\n", "q.csv")


def test_a_file_that_says_nothing_of_what_to_find_is_refused():
    with pytest.raises(QuestionFileError, match="rien ne dit ce qui doit être trouvé"):
        read("question\nCongés ?\n".encode(), "q.csv")


def test_an_unknown_format_is_refused():
    with pytest.raises(QuestionFileError, match="CSV, XLSX ou JSONL"):
        read(b"%PDF-1.4", "questions.pdf")


def test_a_broken_jsonl_line_is_reported_with_its_number():
    with pytest.raises(QuestionFileError, match="Ligne 2"):
        read(b'{"question": "a", "expected_answer": "b"}\n{oops\n', "q.jsonl")


def test_the_threshold_decides_the_questions_answered_and_the_out_of_scope_refused(monkeypatch):
    scores = {"congés": 0.9, "frais": 0.4, "cantine": 0.3, "logo": 0.8}

    def search(query, *, category_ids, limit, mode, reranker):
        return [result(1, score=scores[query])]

    monkeypatch.setattr(evaluation, "search_passages", search)
    evaluated = evaluate(
        [Case(Question("congés", "a.pdf"), frozenset({1})), Case(Question("frais", "a.pdf"))],
        category_ids=[1],
        modes=[Mode.HYBRID],
        scope=Scope(thresholds={1: 0.5}, default_threshold=0.95),
        out_of_scope=[Question("cantine"), Question("logo")],
    )

    assert (evaluated.answered, evaluated.refused) == (0.5, 0.5)


def test_the_report_writes_names_that_look_like_formulas_as_text():
    evaluated = Evaluation(
        modes=(Mode.BM25,),
        metrics=[],
        outcomes=[QuestionOutcome(Question("=1+1", "=2+2"), {Mode.BM25: 1}, {Mode.BM25: "@cmd"})],
    )

    (row,) = list(csv.DictReader(io.StringIO(report_csv(evaluated))))

    assert (row["question"], row["expected"], row["top_bm25"]) == ("'=1+1", "'=2+2", "'@cmd")
