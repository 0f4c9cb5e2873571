import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document
from documents.tests.factories import CategoryFactory
from documents.uploads import create_document

pytestmark = pytest.mark.django_db

UPLOAD_URL = reverse("backoffice:upload")
NOTE = b"Le teletravail est possible deux jours par semaine."


def test_staff_without_the_add_document_permission_are_refused(client, django_user_model):
    staff = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(UPLOAD_URL).status_code == 403


def test_the_page_offers_the_categories_and_a_multiple_file_input(admin_client):
    CategoryFactory(name="Ressources humaines")
    page = admin_client.get(UPLOAD_URL).content.decode()
    assert "Ressources humaines" in page
    assert 'type="file"' in page and "multiple" in page


def test_several_files_are_created_and_a_duplicate_and_an_empty_file_reported(admin_client):
    category = CategoryFactory()
    existing = create_document(category=category, stream=io.BytesIO(NOTE), filename="note.txt")
    files = [
        SimpleUploadedFile("Guide_des_congés.txt", b"Les conges se posent en ligne."),
        SimpleUploadedFile("copie.txt", NOTE),
        SimpleUploadedFile("vide.txt", b""),
        SimpleUploadedFile("charte.md", b"# Charte"),
    ]
    response = admin_client.post(
        UPLOAD_URL, {"category": category.pk, "files": files, "hints": "toutes pages : RH"}
    )
    assert response.status_code == 200
    created = Document.objects.exclude(pk=existing.pk)
    assert sorted(created.values_list("title", flat=True)) == ["Guide des congés", "charte"]
    assert set(created.values_list("hints", flat=True)) == {"toutes pages : RH"}
    page = response.content.decode()
    for document in created:
        assert reverse("admin:documents_document_change", args=[document.pk]) in page
    assert reverse("admin:documents_document_change", args=[existing.pk]) in page
    assert "copie.txt" in page and "Le fichier est vide." in page
    assert "2 documents créés, 1 doublon, 1 refusé." in " ".join(page.split())


def test_each_refused_file_is_named_once_in_its_row(admin_client):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("dossier/imbriquee.zip", b"PK")
    files = [
        SimpleUploadedFile("vide.txt", b""),
        SimpleUploadedFile("programme.pdf", b"MZ\x90\x00" + bytes(200)),
        SimpleUploadedFile("lot.zip", archive.getvalue()),
    ]
    response = admin_client.post(UPLOAD_URL, {"category": CategoryFactory().pk, "files": files})
    rows = re.findall(r'<li[^>]*data-testid="upload-rejected"[^>]*>(.*?)</li>', response.text, re.S)
    names = ["vide.txt", "programme.pdf", "lot.zip/dossier/imbriquee.zip"]
    assert len(rows) == len(names)
    for row, name in zip(rows, names, strict=True):
        assert row.count(name.rsplit("/", 1)[-1]) == 1, row


def test_a_zip_archive_among_the_files_is_expanded_into_documents(admin_client):
    category = CategoryFactory()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("RH/Congés/guide.txt", b"Poser ses conges en ligne.")
        zipped.writestr("../evil.txt", b"pirate")
    files = [SimpleUploadedFile("lot.zip", archive.getvalue()), SimpleUploadedFile("a.txt", b"a")]
    response = admin_client.post(UPLOAD_URL, {"category": category.pk, "files": files})
    assert sorted(Document.objects.values_list("title", flat=True)) == [
        "RH — Congés — guide",
        "a",
    ]
    assert "Chemin dangereux" in response.content.decode()


def test_the_form_requires_a_category_and_a_file(admin_client):
    response = admin_client.post(UPLOAD_URL, {})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"category", "files"}
    assert not Document.objects.exists()


def test_the_document_list_of_the_admin_links_to_the_upload_page(admin_client):
    page = admin_client.get(reverse("admin:documents_document_changelist")).content.decode()
    assert "Déposer des documents" in page and UPLOAD_URL in page


def test_the_page_offers_a_drop_zone_around_a_plain_file_input(admin_client):
    page = admin_client.get(UPLOAD_URL).content.decode()
    zone = page.split('data-testid="dropzone"', 1)[1].split('id="files-chosen"', 1)[0]
    assert 'type="file"' in zone and "multiple" in zone
    assert "js/backoffice/upload.js" in page
    assert 'id="upload-strings"' in page


def test_the_report_lists_each_file_of_an_archive_and_links_to_the_category(admin_client):
    category = CategoryFactory(name="Ressources humaines")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("RH/guide.txt", b"Poser ses conges en ligne.")
        zipped.writestr("RH/charte.md", b"# Charte du teletravail")
        zipped.writestr("RH/vide.txt", b"")
        zipped.writestr("RH/programme.exe", b"MZ\x90\x00" + b"\x00" * 60)
    files = [SimpleUploadedFile("lot.zip", archive.getvalue())]
    response = admin_client.post(UPLOAD_URL, {"category": category.pk, "files": files})
    page = response.content.decode()
    assert page.count('data-testid="upload-accepted"') == 2
    assert page.count('data-testid="upload-rejected"') == 2
    assert "lot.zip/RH/vide.txt" in page and "lot.zip/RH/programme.exe" in page
    changelist = reverse("admin:documents_document_changelist")
    assert f'href="{changelist}?category__id__exact={category.pk}"' in page
    assert "Voir les documents de « Ressources humaines »" in page


def test_the_accepted_documents_show_a_live_progress_bar(admin_client):
    category = CategoryFactory()
    files = [SimpleUploadedFile("note.txt", NOTE)]
    page = admin_client.post(UPLOAD_URL, {"category": category.pk, "files": files}).content
    document = Document.objects.get()
    page = page.decode()
    assert f'data-testid="progress-{document.pk}"' in page
    assert f'data-status="{document.status}"' in page
    assert f'data-status-label="{document.pk}"' in page
    assert "js/backoffice/progress.js" in page and 'id="progress-strings"' in page


def test_each_accepted_document_has_a_place_for_the_offer_to_make_it_a_new_version(
    admin_client,
):
    """`progress.js` fills it once indexing finds the document almost the same as another."""
    category = CategoryFactory()
    files = [SimpleUploadedFile("note.txt", NOTE)]
    page = admin_client.post(UPLOAD_URL, {"category": category.pk, "files": files}).content
    document = Document.objects.get()
    slot = page.decode().split(f'data-offer="{document.pk}"')[1].split(">")[0]
    assert "hidden" in slot


def test_each_accepted_document_has_a_place_for_why_it_fails_hidden_until_then(admin_client):
    """`progress.js` shows there the reason indexing gives when the document fails."""
    category = CategoryFactory()
    files = [SimpleUploadedFile("note.txt", NOTE)]
    page = admin_client.post(UPLOAD_URL, {"category": category.pk, "files": files}).content
    document = Document.objects.get()
    slot = page.decode().split(f'data-reason="{document.pk}"')[1].split(">")[0]
    assert f'data-testid="reason-{document.pk}"' in slot and "hidden" in slot
