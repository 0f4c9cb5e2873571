"""`manage.py evaluate` on a tiny category indexed for real (local embedder, Qdrant Edge)."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from documents.indexing import index_document
from documents.tests.factories import CategoryFactory
from documents.uploads import create_document

pytestmark = pytest.mark.django_db

DOCUMENTS = {
    "conges.txt": "Les congés annuels peuvent être reportés jusqu'au 31 mai de l'année "
    "suivante, avec l'accord écrit du chef de service.",
    "Télétravail.txt": "Le télétravail est autorisé deux jours par semaine, sur demande "
    "écrite adressée au responsable hiérarchique.",
    "frais.txt": "Les frais de déplacement sont remboursés sur justificatifs, dans un délai "
    "d'un mois après la mission.",
}
# Uploaded but never indexed: the question expecting it is a miss in every mode.
NOT_INDEXED = {"visite.txt": "La visite médicale a lieu tous les deux ans."}
QUESTIONS = (
    "\ufeffquestion;expected_document\n"
    "Jusqu'à quand peut-on reporter ses congés annuels ?;CONGES.TXT\n"
    "Combien de jours de télétravail par semaine ?;teletravail\n"
    "Quand a lieu la visite médicale ?;visite.txt\n"
    "Qui rembourse les repas ?;inconnu.pdf\n"
)
# Rank per question in every mode: 1, 1, not found (the unknown document is left out).
EXPECTED = {"questions": 3, "recall@1": 2 / 3, "recall@5": 2 / 3, "recall@10": 2 / 3}


@pytest.fixture
def category():
    category = CategoryFactory(name="Ressources humaines")
    for name, text in {**DOCUMENTS, **NOT_INDEXED}.items():
        document = create_document(
            category=category, stream=io.BytesIO(text.encode()), filename=name
        )
        if name in DOCUMENTS:
            index_document(document.pk)
    return category


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "questions.csv"
    path.write_text(QUESTIONS, encoding="utf-8")
    return path


def evaluate(*args, **options) -> str:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def metrics_table(output: str) -> dict[str, dict[str, float]]:
    lines = [line.split() for line in output.splitlines()]
    header = next(line for line in lines if line[:1] == ["mode"])
    return {
        line[0]: dict(zip(header[1:], map(float, line[1:]), strict=True))
        for line in lines
        if line[:1] in (["bm25"], ["dense"], ["hybrid"])
    }


def test_the_metrics_of_each_mode_are_printed(category, questions):
    table = metrics_table(evaluate(str(questions), category="Ressources humaines"))
    assert list(table) == ["bm25", "dense", "hybrid"]
    for mode, metrics in table.items():
        assert metrics == pytest.approx({**EXPECTED, "MRR@10": 2 / 3}, abs=1e-3), mode


def test_an_unknown_expected_document_is_warned_about_and_left_out(category, questions):
    output = evaluate(str(questions), category=category.slug)
    assert "Row 5: no document 'inconnu.pdf'" in output
    assert "3 question(s) in 'Ressources humaines'" in output


def test_the_report_has_the_rank_and_top_document_of_each_question(category, questions, tmp_path):
    report = tmp_path / "report.csv"
    evaluate(str(questions), category=category.slug, report=str(report), modes="bm25,hybrid")
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert [row["expected"] for row in rows] == ["CONGES.TXT", "teletravail", "visite.txt"]
    assert [(row["rank_bm25"], row["rank_hybrid"]) for row in rows] == [
        ("1", "1"),
        ("1", "1"),
        ("", ""),
    ]
    assert rows[0]["top_bm25"] == "conges.txt"
    assert rows[1]["top_hybrid"] == "Télétravail.txt"
    assert "rank_dense" not in rows[0]


def test_an_unknown_category_or_mode_is_an_error(category, questions):
    with pytest.raises(CommandError, match="Unknown category"):
        evaluate(str(questions), category="Inconnue")
    with pytest.raises(CommandError, match="Unknown mode"):
        evaluate(str(questions), category=category.slug, modes="bm25,sparse")


def test_a_question_file_without_the_chosen_column_is_an_error(category, questions):
    with pytest.raises(CommandError, match="« intitule »"):
        evaluate(str(questions), category=category.slug, question_column="intitule")
