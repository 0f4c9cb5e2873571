"""Re-indexing and deleting documents from the admin list, passages included; taking back
the title a document gives itself; running folder syncs now."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from ai.passages import passage_store
from documents import indexing
from documents.models import Document, FolderSync
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:documents_document_changelist")


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


def test_retaking_its_title_gives_a_document_titled_after_its_file_the_one_it_gives_itself(
    admin_client, django_capture_on_commit_callbacks
):
    text = "# Congés pour événements familiaux\n\nLe mariage ouvre droit à cinq jours.\n"
    after_file = DocumentFactory(file=ContentFile(text.encode(), name="Guide_conges.md"))
    typed = DocumentFactory(
        file=ContentFile(text.encode(), name="guide.md"), title="Congés : le guide de la DRH"
    )
    for document in (after_file, typed):
        Document.objects.filter(pk=document.pk).update(status=Document.Status.INDEXED)

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            CHANGELIST_URL,
            {"action": "retake_own_title", "_selected_action": [after_file.pk, typed.pk]},
            follow=True,
        )

    assert len(callbacks) == 1
    page = response.content.decode()
    assert "1 document(s) titré(s) d&#x27;après leur nom de fichier en file" in page
    assert "1 document(s) gardent le titre saisi." in page
    typed.refresh_from_db()
    assert typed.status == Document.Status.INDEXED
    indexing.index_document(after_file.pk)
    after_file.refresh_from_db()
    assert after_file.title == "Congés pour événements familiaux"
    assert after_file.title_from_filename is False


def test_sync_now_runs_the_selected_folder_syncs_and_shows_their_summary(
    admin_client, eager_tasks, tmp_path
):
    (tmp_path / "partage").mkdir()
    (tmp_path / "partage" / "guide.txt").write_bytes(b"Les conges se posent en ligne.")
    scheduled = FolderSync.objects.create(
        category=CategoryFactory(), source=str(tmp_path / "partage"), enabled=False
    )

    response = admin_client.post(
        reverse("admin:documents_foldersync_changelist"),
        {"action": "sync_now", "_selected_action": [scheduled.pk]},
        follow=True,
    )

    assert "1 synchronisation(s) lancée(s)" in response.content.decode()
    assert scheduled.category.documents.get().title == "guide"
    page = admin_client.get(reverse("admin:documents_foldersync_changelist")).content.decode()
    assert "1 ajouté(s), 0 nouvelle(s) version(s)" in page
