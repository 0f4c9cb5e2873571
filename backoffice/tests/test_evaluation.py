"""The backoffice evaluation page: staff upload a question file, read the ranks."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.indexing import index_document
from documents.tests.factories import CategoryFactory
from documents.uploads import create_document

pytestmark = pytest.mark.django_db

EVALUATION_URL = reverse("backoffice:evaluation")
QUESTIONS = (
    "question,expected_document\n"
    "Combien de jours de télétravail par semaine ?,teletravail.txt\n"
    "Qui rembourse les repas ?,inconnu.pdf\n"
)


@pytest.fixture
def category():
    category = CategoryFactory(name="Ressources humaines")
    texts = {
        "teletravail.txt": "Le télétravail est autorisé deux jours par semaine.",
        "conges.txt": "Les congés annuels se reportent jusqu'au 31 mai.",
    }
    for name, text in texts.items():
        document = create_document(
            category=category, stream=io.BytesIO(text.encode()), filename=name
        )
        index_document(document.pk)
    return category


def post(client, category, content: str, name: str = "questions.csv", **fields):
    questions = SimpleUploadedFile(name, content.encode())
    data = {"category": category.pk, "questions": questions, "question_column": "question"}
    return client.post(EVALUATION_URL, {**data, **fields})


def test_the_page_offers_the_categories_and_the_column_names(admin_client):
    CategoryFactory(name="Ressources humaines")
    page = admin_client.get(EVALUATION_URL).content.decode()
    assert "Ressources humaines" in page
    assert 'type="file"' in page
    assert 'value="expected_document"' in page and 'value="expected_answer"' in page


def test_the_metrics_and_the_rank_of_each_question_are_shown(admin_client, category):
    response = post(admin_client, category, QUESTIONS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rappel@1" in page and "MRR@10" in page
    for mode in ("bm25", "dense", "hybrid"):
        assert f'<td class="py-1 font-mono">{mode}</td>' in page
    assert "Combien de jours de télétravail par semaine ?" in page
    assert "inconnu.pdf" in page and "Qui rembourse les repas ?" in page
    assert response.context["metrics"][0]["recalls"] == [1.0, 1.0, 1.0]
    assert [outcome["ranks"] for outcome in response.context["outcomes"]] == [[1, 1, 1]]


def test_the_csv_report_is_offered_for_download(admin_client, category):
    response = post(admin_client, category, QUESTIONS)
    prefix = "data:text/csv;charset=utf-8;base64,"
    url = response.context["report_url"]
    assert url.startswith(prefix) and f'href="{url}"' in response.content.decode()
    report = base64.b64decode(url.removeprefix(prefix)).decode()
    assert report.splitlines()[1].startswith("Combien de jours de télétravail par semaine ?,")


def test_a_file_without_the_question_column_is_refused_with_the_reason(admin_client, category):
    response = post(admin_client, category, "intitule,expected_document\na,b\n")
    assert response.status_code == 200
    assert "Pas de colonne « question »" in response.content.decode()
    assert "metrics" not in response.context
