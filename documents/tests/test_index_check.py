"""The index check: each kind of drift between the database and the vector store is found,
then repaired, and a change made during the check is not undone by it."""

import pytest
from django.core.files.base import ContentFile

from ai.passages import Passage, delete_passages, passage_store, store_passages, summary_store
from ai.vectorstore import VectorStoreError
from documents import index_check, indexing, services
from documents.index_check import KEPT_CHECKS, check_index, find_drift, repair_drift
from documents.models import Correction, Document, IndexCheck
from documents.tests.factories import CategoryFactory, CorrectionFactory, DocumentFactory

pytestmark = pytest.mark.django_db

TELEWORK = "Le télétravail est autorisé deux jours par semaine, sur demande écrite."


@pytest.fixture
def indexed(django_capture_on_commit_callbacks) -> Document:
    with django_capture_on_commit_callbacks(execute=False):
        document = DocumentFactory(file=ContentFile(TELEWORK.encode(), name="teletravail.txt"))
    indexing.index_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.INDEXED
    return document


def store_old_generation(document: Document, generation: str = "ancienne") -> None:
    store_passages(
        [
            Passage(
                key=f"document:{document.pk}:{generation}:0",
                embed_text=TELEWORK,
                payload={
                    "kind": "document",
                    "category_id": document.category_id,
                    "document_id": document.pk,
                    "generation": generation,
                    "text": TELEWORK,
                },
            )
        ]
    )


def stored(payload_filter) -> int:
    return passage_store().count(payload_filter) + summary_store().count(payload_filter)


def test_a_store_in_step_with_the_database_shows_no_drift(indexed):
    services.index_correction(correction_id=CorrectionFactory(category=indexed.category).pk)

    assert sum(find_drift().counts().values()) == 0


def test_passages_of_a_deleted_document_are_found_and_deleted(
    indexed, django_capture_on_commit_callbacks
):
    document_id = indexed.pk
    with django_capture_on_commit_callbacks(execute=False):  # its passages stay behind
        indexed.delete()

    assert find_drift().orphan_passages == {document_id}
    check_index(repair=True)
    assert stored({"document_id": document_id}) == 0


def test_an_indexed_document_without_its_passages_is_found_and_indexed_again(
    indexed, eager_tasks, django_capture_on_commit_callbacks
):
    delete_passages({"document_id": indexed.pk})

    assert find_drift().missing_passages == {indexed.pk}
    with django_capture_on_commit_callbacks(execute=True):
        check_index(repair=True)
    indexed.refresh_from_db()
    assert indexed.status == Document.Status.INDEXED
    assert passage_store().count({"document_id": indexed.pk}) == indexed.chunk_count


def test_passages_under_a_former_category_are_deleted_at_once_and_the_document_indexed_again(
    indexed, eager_tasks, django_capture_on_commit_callbacks
):
    former, restricted = indexed.category, CategoryFactory(name="Direction")
    Document.objects.filter(pk=indexed.pk).update(category=restricted)  # no signal

    assert find_drift().stale_category == {indexed.pk}
    with django_capture_on_commit_callbacks(execute=False) as queued:
        check_index(repair=True)
        assert stored({"document_id": indexed.pk, "category_id": former.pk}) == 0
    assert Document.objects.get(pk=indexed.pk).status == Document.Status.PENDING
    for callback in queued:
        callback()
    assert passage_store().count({"document_id": indexed.pk, "category_id": restricted.pk}) > 0


def test_generations_other_than_the_active_one_are_found_and_deleted(indexed):
    store_old_generation(indexed)

    assert find_drift().stale_generations == {indexed.pk: {"ancienne"}}
    check_index(repair=True)
    assert passage_store().count({"document_id": indexed.pk, "generation": "ancienne"}) == 0
    active = {"document_id": indexed.pk, "generation": indexed.index_generation}
    assert passage_store().count(active) == indexed.chunk_count


@pytest.mark.parametrize("status", [Document.Status.PENDING, Document.Status.PROCESSING])
def test_the_generations_of_a_document_being_indexed_are_left_alone(indexed, status):
    store_old_generation(indexed, "en-cours")
    Document.objects.filter(pk=indexed.pk).update(status=status)

    assert find_drift().stale_generations == {}
    check_index(repair=True)
    assert passage_store().count({"document_id": indexed.pk, "generation": "en-cours"}) == 1


def test_a_document_that_starts_indexing_during_the_check_keeps_the_generation_it_writes(indexed):
    store_old_generation(indexed, "en-cours")
    drift = find_drift()
    Document.objects.filter(pk=indexed.pk).update(status=Document.Status.PROCESSING)

    repair_drift(drift)

    assert passage_store().count({"document_id": indexed.pk, "generation": "en-cours"}) == 1


def test_a_document_indexed_with_another_model_is_found_and_queued_again(
    indexed, django_capture_on_commit_callbacks
):
    Document.objects.filter(pk=indexed.pk).update(embedding_model="ancien-modele")

    assert find_drift().other_model == {indexed.pk}
    with django_capture_on_commit_callbacks(execute=False) as queued:
        check = check_index(repair=True)
    assert check.repaired["other_model"] == 1
    assert Document.objects.get(pk=indexed.pk).status == Document.Status.PENDING
    assert len(queued) == 1


def test_the_passage_of_a_deleted_correction_is_found_and_deleted(
    django_capture_on_commit_callbacks,
):
    correction = CorrectionFactory()
    services.index_correction(correction_id=correction.pk)
    correction_id = correction.pk
    with django_capture_on_commit_callbacks(execute=False):
        correction.delete()

    assert find_drift().orphan_corrections == {correction_id}
    check_index(repair=True)
    assert passage_store().count({"correction_id": correction_id}) == 0


def test_a_correction_missing_from_the_store_is_found_and_written_again(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):  # never written
        correction = CorrectionFactory()

    assert find_drift().missing_corrections == {correction.pk}
    check_index(repair=True)
    assert passage_store().count({"correction_id": correction.pk}) == 1


def test_a_correction_stored_under_its_former_category_is_written_again(
    django_capture_on_commit_callbacks,
):
    correction = CorrectionFactory()
    services.index_correction(correction_id=correction.pk)
    Correction.objects.filter(pk=correction.pk).update(category=CategoryFactory())

    assert find_drift().missing_corrections == {correction.pk}
    check_index(repair=True)
    assert passage_store().count({"correction_id": correction.pk}) == 1
    assert passage_store().count({"category_id": correction.category_id}) == 0


def test_a_change_made_during_the_check_is_not_undone(indexed, django_capture_on_commit_callbacks):
    document_id, category, file_name = indexed.pk, indexed.category, indexed.file.name
    with django_capture_on_commit_callbacks(execute=False):
        indexed.delete()
    drift = find_drift()
    # The row is back meanwhile (restored from a backup): its passages are its own again.
    with django_capture_on_commit_callbacks(execute=False):
        Document.objects.create(pk=document_id, category=category, file=file_name)

    assert repair_drift(drift)["orphan_passages"] == 0
    assert passage_store().count({"document_id": document_id}) > 0


def test_each_check_is_recorded_with_what_it_found_and_repaired(indexed):
    store_old_generation(indexed)

    check = check_index(repair=True)

    check.refresh_from_db()
    assert check.finished_at is not None
    assert check.found["stale_generations"] == 1
    assert check.examples["stale_generations"] == [indexed.pk]
    assert check.repaired["stale_generations"] == 1
    assert not check.left_unrepaired


def test_a_check_without_repair_changes_nothing_and_says_the_drift_is_left(indexed):
    store_old_generation(indexed)

    check = check_index(repair=False)

    assert check.repaired == {}
    assert check.left_unrepaired
    assert passage_store().count({"document_id": indexed.pk, "generation": "ancienne"}) == 1


def test_a_vector_store_down_is_recorded_as_the_checks_error(monkeypatch):
    def unreachable(*args, **kwargs):
        raise VectorStoreError("Qdrant cannot be reached")

    monkeypatch.setattr(index_check, "stored_payloads", unreachable)

    check = check_index(repair=True)

    assert "Qdrant cannot be reached" in check.error
    assert check.finished_at is not None


def test_only_the_latest_checks_are_kept():
    IndexCheck.objects.bulk_create(IndexCheck(finished_at=None) for _ in range(KEPT_CHECKS))

    latest = check_index(repair=False)

    assert IndexCheck.objects.count() == KEPT_CHECKS
    assert IndexCheck.objects.filter(pk=latest.pk).exists()
