"""« Télécharger la catégorie (ZIP) »: the request records and queues, a worker builds the
ZIP of the original files into the storage, staff download it through the app."""

import io
import zipfile

import pytest
from celery import current_app as celery_app
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from documents import exports, services
from documents.models import CategoryExport
from documents.tasks import build_category_export as build_category_export_task
from documents.tests.builders import pdf
from documents.tests.factories import CategoryFactory, DocumentFactory
from testing.seaweedfs import S3_TEST_BUCKET

pytestmark = pytest.mark.django_db

BAREME = pdf("Le barème de 2024.")


@pytest.fixture
def category():
    # Its own name: the S3 bucket is shared by the whole session, and other tests count
    # the files stored under their category's folder.
    category = CategoryFactory(name="Export des ressources humaines")
    DocumentFactory(category=category, file=ContentFile(b"Premier guide.", name="guide.txt"))
    DocumentFactory(category=category, file=ContentFile(b"Second guide.", name="guide.txt"))
    DocumentFactory(category=category, file=ContentFile(BAREME, name="bareme.pdf"))
    DocumentFactory(file=ContentFile(b"Autre categorie.", name="autre.txt"))
    return category


def pending_export(category) -> CategoryExport:
    return CategoryExport.objects.create(category=category)


def zip_entries(export: CategoryExport) -> dict[str, bytes]:
    with export.file.open("rb") as stored:
        archive = zipfile.ZipFile(io.BytesIO(stored.read()))
    assert archive.testzip() is None
    return {name: archive.read(name) for name in archive.namelist()}


def test_the_admin_action_only_records_the_export_and_queues_it(
    admin_client, admin_user, category, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        services, "send_task", lambda task, *args: queued.append((task, args)) or True
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:documents_category_changelist"),
            {"action": "export_zip", "_selected_action": [category.pk]},
            follow=True,
        )
    export = CategoryExport.objects.get()
    assert export.category == category and export.created_by == admin_user
    assert export.status == CategoryExport.Status.PENDING and not export.file
    assert queued == [(build_category_export_task, (export.pk,))]
    assert reverse("admin:documents_categoryexport_changelist") in response.content.decode()


def test_the_action_is_offered_on_the_category_list(admin_client, category):
    page = admin_client.get(reverse("admin:documents_category_changelist")).content.decode()
    assert "Télécharger la catégorie (ZIP)" in page


def test_the_worker_builds_a_zip_of_the_original_files(category):
    export = exports.build_category_export(pending_export(category).pk)
    assert export.status == CategoryExport.Status.READY
    assert export.document_count == 3 and export.finished_at is not None
    assert export.file.name.startswith(f"exports/{category.slug}/")
    assert zip_entries(export) == {
        "guide.txt": b"Premier guide.",
        "guide (2).txt": b"Second guide.",
        "bareme.pdf": BAREME,
    }


def test_the_celery_task_builds_the_export(category):
    export = pending_export(category)
    celery_app.conf.task_always_eager = True
    try:
        build_category_export_task.delay(export.pk)
    finally:
        celery_app.conf.task_always_eager = False
    export.refresh_from_db()
    assert export.status == CategoryExport.Status.READY
    assert set(zip_entries(export)) == {"guide.txt", "guide (2).txt", "bareme.pdf"}


def test_the_zip_is_written_to_the_s3_storage(s3_storage, category):
    export = exports.build_category_export(pending_export(category).pk)
    assert export.status == CategoryExport.Status.READY
    assert s3_storage.head_object(Bucket=S3_TEST_BUCKET, Key=export.file.name)
    assert len(zip_entries(export)) == 3


def test_an_empty_category_gives_an_empty_zip():
    export = exports.build_category_export(pending_export(CategoryFactory()).pk)
    assert export.status == CategoryExport.Status.READY
    assert export.document_count == 0 and zip_entries(export) == {}


def test_a_file_missing_from_the_storage_fails_the_export_with_the_reason(category):
    document = category.documents.first()
    document.file.storage.delete(document.file.name)
    export = exports.build_category_export(pending_export(category).pk)
    assert export.status == CategoryExport.Status.FAILED
    assert export.error.startswith("Lecture ou écriture des fichiers impossible")
    assert not export.file


def test_an_export_already_built_is_not_built_again(category):
    export = exports.build_category_export(pending_export(category).pk)
    name = export.file.name
    assert exports.build_category_export(export.pk).file.name == name


def test_when_the_queue_is_down_the_export_fails_saying_so(
    category, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "send_task", lambda task, *args: False)
    with django_capture_on_commit_callbacks(execute=True):
        export = exports.request_category_export(category=category, requested_by=None)
    export.refresh_from_db()
    assert export.status == CategoryExport.Status.FAILED and export.error == exports.QUEUE_DOWN


def test_deleting_an_export_deletes_its_zip(category, django_capture_on_commit_callbacks):
    export = exports.build_category_export(pending_export(category).pk)
    storage, name = export.file.storage, export.file.name
    with django_capture_on_commit_callbacks(execute=True):
        export.delete()
    assert not storage.exists(name)


# --- Downloading it ---------------------------------------------------------------------


def download_url(export: CategoryExport) -> str:
    return reverse("documents:export-file", args=[export.pk])


def test_staff_download_a_ready_export_from_the_admin_list(admin_client, category):
    export = exports.build_category_export(pending_export(category).pk)
    page = admin_client.get(reverse("admin:documents_categoryexport_changelist")).content.decode()
    assert download_url(export) in page
    response = admin_client.get(download_url(export))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{category.slug}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert set(archive.namelist()) == {"guide.txt", "guide (2).txt", "bareme.pdf"}


def test_an_export_not_ready_cannot_be_downloaded(admin_client, category):
    assert admin_client.get(download_url(pending_export(category))).status_code == 404


def test_users_who_are_not_staff_are_refused(client, django_user_model, category):
    export = exports.build_category_export(pending_export(category).pk)
    client.force_login(django_user_model.objects.create_user("lecteur"))
    assert client.get(download_url(export)).status_code == 403


def test_staff_without_the_permission_to_see_exports_are_refused(
    client, django_user_model, category
):
    export = exports.build_category_export(pending_export(category).pk)
    staff = django_user_model.objects.create_user("stagiaire", is_staff=True)
    client.force_login(staff)
    assert client.get(download_url(export)).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_categoryexport"))
    assert client.get(download_url(export)).status_code == 200


def test_an_export_shows_read_only_with_its_failure_reason(admin_client, category):
    export = CategoryExport.objects.create(
        category=category, status=CategoryExport.Status.FAILED, error="Stockage injoignable."
    )
    response = admin_client.get(reverse("admin:documents_categoryexport_change", args=[export.pk]))
    assert response.status_code == 200
    assert "Stockage injoignable." in response.content.decode()
    assert admin_client.get(reverse("admin:documents_categoryexport_add")).status_code == 403
