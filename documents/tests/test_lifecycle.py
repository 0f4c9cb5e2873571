"""A document that changes: the index follows the database, whatever path the change took."""

import pytest
from celery import current_app as celery_app
from django.core.files.base import ContentFile

from ai.passages import passage_store
from ai.retrieval import search_passages
from documents import indexing
from documents.models import Document
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db

TELEWORK = "Le télétravail est autorisé deux jours par semaine, sur demande écrite."


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


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
