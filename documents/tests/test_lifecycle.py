"""A document that changes: the index follows the database, whatever path the change took."""

import pytest
from django.core.files.base import ContentFile

from ai.passages import passage_store
from ai.retrieval import search_passages
from ai.vectorstore import VectorStoreError
from documents import indexing
from documents.models import Document
from documents.selectors import active_generations
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db

TELEWORK = "Le télétravail est autorisé deux jours par semaine, sur demande écrite."


@pytest.fixture
def indexed(eager_tasks) -> Document:
    document = DocumentFactory(file=ContentFile(TELEWORK.encode(), name="teletravail.txt"))
    indexing.index_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.INDEXED
    return document


def found_in(category, question: str = "jours de télétravail") -> set[int]:
    return {r.document_id for r in search_passages(question, category_ids=[category.pk])}


def test_a_document_moved_to_another_category_is_at_once_out_of_the_old_one(
    indexed, django_capture_on_commit_callbacks
):
    open_category, restricted = indexed.category, CategoryFactory(name="Direction")
    assert found_in(open_category) == {indexed.pk}

    with django_capture_on_commit_callbacks(execute=False):
        indexed.category = restricted
        indexed.save()
        # Saved, not yet indexed again: the old category's readers already find nothing.
        assert found_in(open_category) == set()
        assert passage_store().count({"document_id": indexed.pk}) == 0


def test_a_moved_document_is_found_in_its_new_category_once_indexed_again(
    indexed, django_capture_on_commit_callbacks
):
    restricted = CategoryFactory(name="Direction")

    with django_capture_on_commit_callbacks(execute=True):
        indexed.category = restricted
        indexed.save()

    indexed.refresh_from_db()
    assert indexed.status == Document.Status.INDEXED
    assert found_in(restricted) == {indexed.pk}
    assert passage_store().count({"document_id": indexed.pk, "category_id": restricted.pk}) > 0


@pytest.mark.parametrize(
    ("field", "value"), [("hints", "toutes pages : circulaire RH"), ("title", "Note télétravail")]
)
def test_editing_what_the_passages_carry_indexes_the_document_again(
    indexed, django_capture_on_commit_callbacks, field, value
):
    generation = indexed.index_generation

    with django_capture_on_commit_callbacks(execute=True):
        setattr(indexed, field, value)
        indexed.save()

    indexed.refresh_from_db()
    assert indexed.status == Document.Status.INDEXED
    assert indexed.index_generation != generation
    assert passage_store().count({"document_id": indexed.pk, "generation": generation}) == 0


def test_saving_without_a_change_indexes_nothing_again(indexed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        indexed.save()

    assert queued == []


LONG_NOTE = "\n\n".join(
    f"Article {n}. Le télétravail est organisé par le service numéro {n}, deux jours par "
    f"semaine au plus, sur demande écrite adressée au chef de service {n}."
    for n in range(1, 9)
)


def searched_hints(category) -> set[str]:
    """The hints of every passage a search shows for the long note (the chat's search
    route passes the same `searchable`)."""
    results = search_passages(
        "télétravail demande écrite",
        category_ids=[category.pk],
        limit=10,
        searchable=active_generations,
    )
    return {passage.hint for result in results for passage in (result, *result.others)}


@pytest.fixture
def long_note(settings, django_capture_on_commit_callbacks) -> Document:
    settings.SPLIT_CHUNK_SIZE, settings.SPLIT_CHUNK_OVERLAP = 200, 0
    settings.EMBEDDING_BATCH_SIZE = 2
    with django_capture_on_commit_callbacks(execute=False):
        document = DocumentFactory(file=ContentFile(LONG_NOTE.encode(), name="note.txt"))
    indexing.index_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.INDEXED and document.chunk_count > 4
    return document


def fail_after_first_batch(monkeypatch) -> None:
    store, upsert = passage_store(), passage_store().upsert
    calls = []

    def upsert_then_fail(points):
        calls.append(points)
        if len(calls) > 1:
            raise VectorStoreError("le disque du magasin est plein")
        upsert(points)

    monkeypatch.setattr(store, "upsert", upsert_then_fail)


def test_a_reindex_failing_halfway_leaves_exactly_the_previous_generation_searchable(
    long_note, monkeypatch, django_capture_on_commit_callbacks
):
    old = long_note.index_generation
    with django_capture_on_commit_callbacks(execute=False):
        long_note.hints = "toutes pages : version 2"
        long_note.save()
    fail_after_first_batch(monkeypatch)

    with pytest.raises(indexing.TransientIndexingError):
        indexing.index_document(long_note.pk)
    indexing.mark_failed(long_note.pk, "Service indisponible après 5 nouvelles tentatives.")

    long_note.refresh_from_db()
    new_passages = passage_store().count({"document_id": long_note.pk}) - long_note.chunk_count
    assert new_passages == 2, "the first batch of the new generation was written"
    assert long_note.status == Document.Status.FAILED
    assert indexing.KEPT_GENERATION in long_note.error_message
    assert long_note.index_generation == old
    assert searched_hints(long_note.category) == {""}


def test_a_successful_retry_leaves_exactly_the_new_generation(
    long_note, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        long_note.hints = "toutes pages : version 2"
        long_note.save()
    with monkeypatch.context() as failing:
        fail_after_first_batch(failing)
        with pytest.raises(indexing.TransientIndexingError):
            indexing.index_document(long_note.pk)

    indexing.index_document(long_note.pk)

    long_note.refresh_from_db()
    assert long_note.status == Document.Status.INDEXED
    assert passage_store().count({"document_id": long_note.pk}) == long_note.chunk_count
    assert searched_hints(long_note.category) == {"version 2"}


def test_while_a_changed_document_is_indexed_again_only_its_old_generation_is_searched(
    long_note, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        long_note.hints = "toutes pages : version 2"
        long_note.save()
    prepared = indexing.prepare_document(long_note, LONG_NOTE.encode())
    indexing.store_passages(prepared.passages)  # written, not yet switched to

    assert searched_hints(long_note.category) == {""}


def test_a_rejected_new_file_keeps_the_previous_generation_searchable(
    long_note, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        long_note.file = ContentFile("%PDF-1.7 cassé".encode(), name="note.pdf")
        long_note.save()

    indexing.index_document(long_note.pk)

    long_note.refresh_from_db()
    assert long_note.status == Document.Status.FAILED
    assert indexing.KEPT_GENERATION in long_note.error_message
    assert searched_hints(long_note.category) == {""}


def test_a_document_whose_first_indexing_fails_is_not_searched_at_all(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SPLIT_CHUNK_SIZE, settings.SPLIT_CHUNK_OVERLAP = 200, 0
    settings.EMBEDDING_BATCH_SIZE = 2
    with django_capture_on_commit_callbacks(execute=False):
        document = DocumentFactory(file=ContentFile(LONG_NOTE.encode(), name="note.txt"))
    fail_after_first_batch(monkeypatch)

    with pytest.raises(indexing.TransientIndexingError):
        indexing.index_document(document.pk)

    assert passage_store().count({"document_id": document.pk}) == 2
    assert searched_hints(document.category) == set()
