"""Re-indexing and deleting documents from the admin list, passages included."""

import pytest
from celery import current_app as celery_app
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from ai.passages import passage_store
from documents import indexing
from documents.models import Document
from documents.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:documents_document_changelist")


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def indexed_document() -> Document:
    text = "\n\n".join(f"Article {n}. Le télétravail est encadré." for n in range(1, 6))
    document = DocumentFactory(file=ContentFile(text.encode(), name="guide.txt"))
    indexing.index_document(document.pk)
    return Document.objects.get(pk=document.pk)


@pytest.fixture
def viewer_client(client, django_user_model):
    """Staff who may only read documents."""
    viewer = django_user_model.objects.create_user("lectrice", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename="view_document"))
    client.force_login(viewer)
    return client


@pytest.mark.parametrize("action", ["reindex", "new_version"])
def test_a_reader_of_documents_can_run_no_action_on_them(viewer_client, action):
    document = DocumentFactory()
    assert f'value="{action}"' not in viewer_client.get(CHANGELIST_URL).content.decode()

    response = viewer_client.post(
        CHANGELIST_URL, {"action": action, "_selected_action": [document.pk]}
    )

    assert response.status_code == 200
    assert Document.objects.get(pk=document.pk).status == document.status


def test_both_actions_are_offered_on_the_document_list(admin_client):
    DocumentFactory()
    page = admin_client.get(CHANGELIST_URL).content.decode()
    assert 'value="reindex"' in page and 'value="delete_selected"' in page


def test_deleting_documents_from_the_list_removes_their_files_and_passages(
    admin_client, eager_tasks, django_capture_on_commit_callbacks
):
    document = indexed_document()
    kept = indexed_document()
    storage, name = document.file.storage, document.file.name
    assert passage_store().count({"document_id": document.pk}) == document.chunk_count > 0
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST_URL,
            {"action": "delete_selected", "_selected_action": [document.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not storage.exists(name)
    assert passage_store().count({"document_id": document.pk}) == 0
    assert passage_store().count({"document_id": kept.pk}) == kept.chunk_count


def test_reindexing_from_the_list_queues_the_documents_again(
    admin_client, django_capture_on_commit_callbacks
):
    document = indexed_document()
    with django_capture_on_commit_callbacks() as callbacks:
        admin_client.post(CHANGELIST_URL, {"action": "reindex", "_selected_action": [document.pk]})
    document.refresh_from_db()
    assert document.status == Document.Status.PENDING and document.progress == 0
    assert len(callbacks) == 1
