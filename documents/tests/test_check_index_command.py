"""`manage.py check_index [--repair]`: a report per kind of drift, a status for monitoring."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from ai.passages import Passage, passage_store, store_passages
from ai.vectorstore import VectorStoreError
from documents import index_check, indexing
from documents.models import Document, IndexCheck
from documents.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

TELEWORK = "Le télétravail est autorisé deux jours par semaine, sur demande écrite."


@pytest.fixture
def indexed(django_capture_on_commit_callbacks) -> Document:
    with django_capture_on_commit_callbacks(execute=False):
        document = DocumentFactory(file=ContentFile(TELEWORK.encode(), name="teletravail.txt"))
    indexing.index_document(document.pk)
    document.refresh_from_db()
    return document


@pytest.fixture
def drifted(indexed) -> Document:
    """An indexed document with passages of a former generation left behind."""
    store_passages(
        [
            Passage(
                key=f"document:{indexed.pk}:ancienne:0",
                embed_text=TELEWORK,
                payload={
                    "kind": "document",
                    "category_id": indexed.category_id,
                    "document_id": indexed.pk,
                    "generation": "ancienne",
                },
            )
        ]
    )
    return indexed


def run(*args: str, out: StringIO | None = None) -> str:
    out = out or StringIO()
    call_command("check_index", *args, stdout=out)
    return out.getvalue()


def test_a_store_in_step_reports_no_drift_and_succeeds(indexed):
    output = run()

    assert "No drift" in output
    assert "stale_generations" in output


def test_drift_fails_for_monitoring_and_is_left_as_it_is(drifted):
    with pytest.raises(CommandError, match="Drift found: 1") as failure:
        run()

    assert failure.value.returncode == 1
    assert passage_store().count({"generation": "ancienne"}) == 1


def test_the_report_gives_each_kinds_count_and_a_few_ids(drifted):
    out = StringIO()
    with pytest.raises(CommandError):
        run(out=out)

    line = next(line for line in out.getvalue().splitlines() if line.startswith("stale_gen"))
    assert line.split() == ["stale_generations", "1", str(drifted.pk)]


def test_repair_repairs_reports_what_it_did_and_succeeds(drifted):
    output = run("--repair")

    line = next(line for line in output.splitlines() if line.startswith("stale_gen"))
    assert line.split() == ["stale_generations", "1", "1", str(drifted.pk)]
    assert "Repaired: 1." in output
    assert passage_store().count({"generation": "ancienne"}) == 0
    assert IndexCheck.objects.get().repair


def test_a_vector_store_down_fails_with_the_reason(monkeypatch):
    def unreachable(*args, **kwargs):
        raise VectorStoreError("Qdrant cannot be reached")

    monkeypatch.setattr(index_check, "stored_payloads", unreachable)

    with pytest.raises(CommandError, match="Qdrant cannot be reached"):
        run("--repair")
