import hashlib

import pytest

from cassandre.celery import app as celery_app
from documents import services
from documents.models import Document
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db

CONTENT = b"Le teletravail est possible deux jours par semaine."


@pytest.fixture
def eager_tasks():
    """Run queued tasks in-process: the wiring is tested here, the real worker elsewhere."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_index_document_records_size_hash_and_type_of_the_stored_file():
    document = DocumentFactory()
    services.index_document(document_id=document.pk)
    document.refresh_from_db()
    assert document.size == len(CONTENT)
    assert document.content_hash == hashlib.sha256(CONTENT).hexdigest()
    assert document.mime_type == "text/plain"


def test_index_document_of_a_deleted_document_is_not_an_error():
    assert services.index_document(document_id=987654) is None


def test_a_new_document_is_queued_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks() as callbacks:
        document = DocumentFactory()
        assert Document.objects.get(pk=document.pk).content_hash == ""
    assert len(callbacks) == 1
    callbacks[0]()
    document.refresh_from_db()
    assert document.content_hash == hashlib.sha256(CONTENT).hexdigest()


def test_saving_an_existing_document_does_not_queue_it_again(django_capture_on_commit_callbacks):
    document = DocumentFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        document.title = "Nouveau titre"
        document.save()
    assert callbacks == []


def test_reindex_queues_the_documents_of_one_category_and_resets_them_to_pending(
    django_capture_on_commit_callbacks,
):
    category = CategoryFactory()
    failed = DocumentFactory(category=category, status=Document.Status.FAILED, error_message="x")
    DocumentFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        queued = services.reindex_documents(category=category)
    failed.refresh_from_db()
    assert queued == 1 and len(callbacks) == 1
    assert (failed.status, failed.error_message) == (Document.Status.PENDING, "")
