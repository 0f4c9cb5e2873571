import pytest

from documents import services
from documents.models import Document
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def test_a_new_document_is_queued_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as callbacks:
        DocumentFactory()
    assert len(callbacks) == 1


def test_saving_a_document_without_changing_what_its_passages_carry_does_not_queue_it(
    django_capture_on_commit_callbacks,
):
    document = DocumentFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        document.warnings = "Page 3 : indication illisible."
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
