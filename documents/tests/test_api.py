import io
import zipfile
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.models import Document
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/api/documents/"
NOTE = b"Le teletravail est possible deux jours par semaine."
CSRF_SECRET = "a" * 32


def a_file(name: str = "Note_de_service.txt", data: bytes = NOTE) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/plain")


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def api(admin_user) -> APIClient:
    return token_client(admin_user)


@pytest.fixture
def category():
    return CategoryFactory(name="Ressources humaines")


def test_a_token_holder_uploads_a_file_and_gets_the_pending_document(api, category):
    response = api.post(
        UPLOAD_URL,
        {"file": a_file(), "category": category.slug, "hints": "page 1 : note"},
        format="multipart",
    )
    assert response.status_code == 201
    document = Document.objects.get()
    assert (document.category, document.hints) == (category, "page 1 : note")
    [created] = response.json()["created"]
    assert created["id"] == document.pk
    assert (created["title"], created["status"], created["category"]) == (
        "Note de service",
        "pending",
        "ressources-humaines",
    )
    assert created["admin_url"].endswith(f"/admin/documents/document/{document.pk}/change/")
    assert created["url"].endswith(f"/api/documents/{document.pk}/")


def test_several_files_and_a_zip_archive_are_uploaded_in_one_request(api, category):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("RH/Congés/guide.txt", b"Poser ses conges en ligne.")
    files = [a_file("a.txt", b"a"), SimpleUploadedFile("lot.zip", archive.getvalue())]
    response = api.post(UPLOAD_URL, {"file": files, "category": category.slug}, format="multipart")
    assert response.status_code == 201
    assert sorted(created["title"] for created in response.json()["created"]) == [
        "RH — Congés — guide",
        "a",
    ]


def test_the_category_can_be_given_by_id_and_the_title_chosen(api, category):
    response = api.post(
        UPLOAD_URL,
        {"file": a_file(), "category": str(category.pk), "title": "Circulaire télétravail"},
        format="multipart",
    )
    assert response.status_code == 201
    assert Document.objects.get().title == "Circulaire télétravail"


def test_anonymous_requests_are_refused_with_401(category):
    response = APIClient().post(
        UPLOAD_URL, {"file": a_file(), "category": category.slug}, format="multipart"
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Document.objects.exists()


def test_an_invalid_token_is_refused_with_401(category):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token pas-un-jeton")
    response = client.post(UPLOAD_URL, {"file": a_file(), "category": category.slug})
    assert response.status_code == 401


def test_a_user_without_the_add_document_permission_is_refused_with_403(
    django_user_model, category
):
    user = django_user_model.objects.create_user("lecteur", password="x")
    staff = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    for client in (token_client(user), token_client(staff)):
        response = client.post(
            UPLOAD_URL, {"file": a_file(), "category": category.slug}, format="multipart"
        )
        assert response.status_code == 403
    assert not Document.objects.exists()


def test_a_user_granted_add_document_may_upload_without_being_staff(django_user_model, category):
    robot = django_user_model.objects.create_user("robot-ged", password="x")
    robot.user_permissions.add(Permission.objects.get(codename="add_document"))
    response = token_client(robot).post(
        UPLOAD_URL, {"file": a_file(), "category": category.slug}, format="multipart"
    )
    assert response.status_code == 201


def test_a_session_request_without_the_csrf_token_is_refused(admin_user, category):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(
        UPLOAD_URL, {"file": a_file(), "category": category.slug}, format="multipart"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Document.objects.exists()


def test_a_session_request_with_the_csrf_token_is_accepted(admin_user, category):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(
        UPLOAD_URL,
        {"file": a_file(), "category": category.slug},
        format="multipart",
        HTTP_X_CSRFTOKEN=CSRF_SECRET,
    )
    assert response.status_code == 201


def test_a_duplicate_alone_answers_409_with_the_existing_document(api, category):
    api.post(UPLOAD_URL, {"file": a_file(), "category": category.slug}, format="multipart")
    existing = Document.objects.get()
    response = api.post(
        UPLOAD_URL, {"file": a_file("copie.txt"), "category": category.slug}, format="multipart"
    )
    assert response.status_code == 409
    [duplicate] = response.json()["duplicates"]
    assert duplicate["file"] == "copie.txt" and duplicate["existing"]["id"] == existing.pk
    assert "identique" in duplicate["detail"]


def test_a_partly_refused_batch_answers_201_with_the_fate_of_each_file(api, category):
    files = [a_file("vide.txt", b""), a_file("ok.txt")]
    response = api.post(UPLOAD_URL, {"file": files, "category": category.slug}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert [created["original_filename"] for created in body["created"]] == ["ok.txt"]
    assert body["rejected"] == [{"file": "vide.txt", "detail": "Le fichier est vide."}]


def test_an_empty_file_alone_answers_400_with_its_reason(api, category):
    response = api.post(
        UPLOAD_URL, {"file": a_file("vide.txt", b""), "category": category.slug}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["rejected"][0]["detail"] == "Le fichier est vide."


def test_a_file_over_the_size_limit_answers_413(api, category, settings):
    settings.UPLOAD_MAX_FILE_SIZE = 10
    response = api.post(
        UPLOAD_URL, {"file": a_file(), "category": category.slug}, format="multipart"
    )
    assert response.status_code == 413
    assert "taille maximale" in response.json()["rejected"][0]["detail"]


def test_an_unknown_category_answers_400(api, category):
    response = api.post(UPLOAD_URL, {"file": a_file(), "category": "inconnue"}, format="multipart")
    assert response.status_code == 400
    assert "Catégorie inconnue" in response.json()["category"][0]


def test_a_request_without_a_file_answers_400(api, category):
    response = api.post(UPLOAD_URL, {"category": category.slug}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_a_title_with_several_files_answers_400(api, category):
    response = api.post(
        UPLOAD_URL,
        {
            "file": [a_file("a.txt", b"a"), a_file("b.txt", b"b")],
            "category": category.slug,
            "title": "T",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert "title" in response.json()


def test_get_returns_the_indexing_state_of_a_document(api):
    document = DocumentFactory(
        status=Document.Status.FAILED, error_message="PDF protégé", page_count=4, chunk_count=0
    )
    response = api.get(reverse("documents_api:document-detail", args=[document.pk]))
    assert response.status_code == 200
    body = response.json()
    assert {key: body[key] for key in ("status", "error_message", "page_count", "chunk_count")} == {
        "status": "failed",
        "error_message": "PDF protégé",
        "page_count": 4,
        "chunk_count": 0,
    }


def test_get_of_an_unknown_document_answers_404(api):
    assert api.get(reverse("documents_api:document-detail", args=[987654])).status_code == 404


def test_get_needs_authentication(category):
    document = DocumentFactory(category=category)
    response = APIClient().get(reverse("documents_api:document-detail", args=[document.pk]))
    assert response.status_code == 401


# --- Validity ---------------------------------------------------------------------------


def detail_url(document: Document) -> str:
    return reverse("documents_api:document-detail", args=[document.pk])


def test_get_returns_the_validity_of_a_document(api):
    repealing = DocumentFactory()
    document = DocumentFactory(
        category=repealing.category,
        valid_from=date(2024, 1, 1),
        valid_until=date(2026, 12, 31),
        repealed_by=repealing,
    )
    body = api.get(detail_url(document)).json()
    assert (body["valid_from"], body["valid_until"], body["repealed_by"]) == (
        "2024-01-01",
        "2026-12-31",
        repealing.pk,
    )


def test_an_upload_sets_the_validity_of_its_documents(api, category):
    response = api.post(
        UPLOAD_URL,
        {
            "file": a_file(),
            "category": category.slug,
            "valid_from": "2025-09-01",
            "valid_until": "2026-08-31",
        },
        format="multipart",
    )
    assert response.status_code == 201
    [created] = response.json()["created"]
    assert (created["valid_from"], created["valid_until"], created["repealed_by"]) == (
        "2025-09-01",
        "2026-08-31",
        None,
    )
    document = Document.objects.get()
    assert (document.valid_from, document.valid_until) == (date(2025, 9, 1), date(2026, 8, 31))


def test_an_upload_ending_before_it_starts_answers_400_on_the_end(api, category):
    response = api.post(
        UPLOAD_URL,
        {
            "file": a_file(),
            "category": category.slug,
            "valid_from": "2026-09-01",
            "valid_until": "2026-08-31",
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["valid_until"]
    assert not Document.objects.exists()


def test_patch_repeals_a_document_and_sets_its_end(api, category):
    document = DocumentFactory(category=category)
    repealing = DocumentFactory(category=category)
    response = api.patch(
        detail_url(document),
        {"repealed_by": repealing.pk, "valid_until": "2026-06-30"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["repealed_by"], response.json()["valid_until"]) == (
        repealing.pk,
        "2026-06-30",
    )
    document.refresh_from_db()
    assert (document.repealed_by, document.valid_until) == (repealing, date(2026, 6, 30))


def test_patch_keeps_the_fields_it_does_not_name_and_null_clears_one(api, category):
    document = DocumentFactory(
        category=category, valid_from=date(2024, 1, 1), valid_until=date(2026, 12, 31)
    )
    response = api.patch(detail_url(document), {"valid_until": None}, format="json")
    assert response.status_code == 200
    document.refresh_from_db()
    assert (document.valid_from, document.valid_until) == (date(2024, 1, 1), None)


def test_patch_checks_the_new_end_against_the_start_already_stored(api, category):
    document = DocumentFactory(category=category, valid_from=date(2026, 1, 1))
    response = api.patch(detail_url(document), {"valid_until": "2025-12-31"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["valid_until"]


@pytest.mark.parametrize("repealing", ["itself", "another category's"])
def test_patch_refuses_a_repeal_by_itself_or_by_another_categorys_document(
    api, category, repealing
):
    document = DocumentFactory(category=category)
    other = document if repealing == "itself" else DocumentFactory()
    response = api.patch(detail_url(document), {"repealed_by": other.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["repealed_by"]
    document.refresh_from_db()
    assert document.repealed_by is None


def test_patch_of_an_unknown_repealing_document_answers_400(api, category):
    document = DocumentFactory(category=category)
    response = api.patch(detail_url(document), {"repealed_by": 987654}, format="json")
    assert response.status_code == 400


def test_patch_takes_the_change_document_permission(django_user_model, category):
    uploader = django_user_model.objects.create_user("uploader")
    uploader.user_permissions.add(Permission.objects.get(codename="add_document"))
    document = DocumentFactory(category=category)
    client = token_client(uploader)
    change = {"valid_until": "2026-06-30"}
    assert client.patch(detail_url(document), change, format="json").status_code == 403
    uploader.user_permissions.add(Permission.objects.get(codename="change_document"))
    assert client.patch(detail_url(document), change, format="json").status_code == 200


def test_patch_changes_only_the_validity(api, category):
    document = DocumentFactory(category=category, title="Circulaire")
    api.patch(
        detail_url(document),
        {"valid_until": "2026-06-30", "title": "Autre", "status": "indexed"},
        format="json",
    )
    document.refresh_from_db()
    assert (document.title, document.status) == ("Circulaire", Document.Status.PENDING)
