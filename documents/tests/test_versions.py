"""A document replaced by a new version: one document, its history kept, only the current
file searched — through the service, the admin, the API, `index_documents` and the viewer."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ai.retrieval import search_passages
from documents import indexing
from documents.models import Document, DocumentVersion
from documents.selectors import active_generations
from documents.tests.factories import CategoryFactory, DocumentFactory
from documents.versions import SameAsCurrentVersion, replace_with_new_version

pytestmark = pytest.mark.django_db

FIRST = "Circulaire télétravail : deux jours par semaine au plus."
SECOND = "Circulaire télétravail modifiée : trois jours par semaine au plus."


@pytest.fixture
def circular(django_capture_on_commit_callbacks) -> Document:
    with django_capture_on_commit_callbacks(execute=False):
        document = DocumentFactory(
            title="Circulaire télétravail",
            hints="toutes pages : circulaire DRH",
            file=ContentFile(FIRST.encode(), name="circulaire.txt"),
        )
    indexing.index_document(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.INDEXED
    return document


def new_file(text: str = SECOND, name: str = "circulaire-v2.txt") -> io.BytesIO:
    stream = io.BytesIO(text.encode())
    stream.name = name
    return stream


def searched_texts(document: Document) -> set[str]:
    results = search_passages(
        "jours de télétravail par semaine",
        category_ids=[document.category_id],
        limit=5,
        searchable=active_generations,
    )
    return {passage.text for result in results for passage in (result, *result.others)}


def test_a_new_version_keeps_the_document_and_its_history(circular, admin_user):
    first_file = circular.file.name

    replace_with_new_version(
        circular, stream=new_file(), filename="circulaire-v2.txt", author=admin_user
    )

    circular.refresh_from_db()
    assert (circular.version, circular.original_filename) == (2, "circulaire-v2.txt")
    assert (circular.title, circular.hints) == (
        "Circulaire télétravail",
        "toutes pages : circulaire DRH",
    )
    (kept,) = circular.versions.all()
    assert (kept.number, kept.file.name, kept.original_filename) == (
        1,
        first_file,
        "circulaire.txt",
    )
    assert kept.replaced_by == admin_user and kept.version_date < circular.version_date
    assert kept.file.read().decode() == FIRST


def test_only_the_current_version_is_searched_once_indexed(
    circular, eager_tasks, django_capture_on_commit_callbacks
):
    assert searched_texts(circular) == {FIRST}

    with django_capture_on_commit_callbacks(execute=True):
        replace_with_new_version(circular, stream=new_file(), filename="circulaire-v2.txt")

    circular.refresh_from_db()
    assert circular.status == Document.Status.INDEXED
    assert searched_texts(circular) == {SECOND}


def test_until_the_new_version_is_indexed_the_previous_one_is_searched(
    circular, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        replace_with_new_version(circular, stream=new_file(), filename="circulaire-v2.txt")

    circular.refresh_from_db()
    assert circular.status == Document.Status.PENDING
    assert searched_texts(circular) == {FIRST}


def test_the_current_file_again_is_refused_and_changes_nothing(circular):
    with pytest.raises(SameAsCurrentVersion, match="identique à la version en cours"):
        replace_with_new_version(circular, stream=new_file(FIRST), filename="copie.txt")

    circular.refresh_from_db()
    assert circular.version == 1 and not circular.versions.exists()


def test_deleting_a_document_deletes_the_files_of_its_versions(
    circular, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        replace_with_new_version(circular, stream=new_file(), filename="circulaire-v2.txt")
    kept = circular.versions.get()
    storage, name = kept.file.storage, kept.file.name

    with django_capture_on_commit_callbacks(execute=True):
        circular.delete()

    assert not storage.exists(name)
    assert not DocumentVersion.objects.exists()


# The admin


def test_the_admin_replaces_a_document_by_a_new_version(admin_client, circular):
    change = reverse("admin:documents_document_change", args=[circular.pk])
    assert "Remplacer par une nouvelle version" in admin_client.get(change).content.decode()

    response = admin_client.post(
        reverse("admin:documents_document_new_version", args=[circular.pk]),
        {"file": SimpleUploadedFile("circulaire-v2.txt", SECOND.encode())},
    )

    assert response.status_code == 302 and response["Location"] == change
    circular.refresh_from_db()
    assert circular.version == 2
    page = admin_client.get(change).content.decode()
    assert reverse("documents:version-file", args=[circular.pk, 1]) in page


def test_the_admin_says_why_a_new_version_is_refused(admin_client, circular):
    response = admin_client.post(
        reverse("admin:documents_document_new_version", args=[circular.pk]),
        {"file": SimpleUploadedFile("copie.txt", FIRST.encode())},
    )
    assert response.status_code == 200
    assert "identique à la version en cours" in response.content.decode()


def test_the_admin_action_opens_the_new_version_form_for_one_document(admin_client, circular):
    changelist = reverse("admin:documents_document_changelist")
    response = admin_client.post(
        changelist, {"action": "new_version", "_selected_action": [circular.pk]}
    )
    assert response["Location"] == reverse(
        "admin:documents_document_new_version", args=[circular.pk]
    )

    other = DocumentFactory(category=circular.category)
    response = admin_client.post(
        changelist,
        {"action": "new_version", "_selected_action": [circular.pk, other.pk]},
        follow=True,
    )
    assert "Choisissez un seul document" in response.content.decode()


def test_staff_without_the_change_permission_cannot_replace(client, django_user_model, circular):
    viewer = django_user_model.objects.create_user("lecteur", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_document"))
    client.force_login(viewer)
    url = reverse("admin:documents_document_new_version", args=[circular.pk])
    assert client.get(url).status_code == 403


# The API


@pytest.fixture
def api(admin_user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    return client


@pytest.mark.parametrize("method", ["post_versions", "put_document"])
def test_the_api_replaces_a_document_by_a_new_version(api, circular, method):
    upload = {"file": SimpleUploadedFile("circulaire-v2.txt", SECOND.encode())}
    if method == "post_versions":
        response = api.post(f"/api/documents/{circular.pk}/versions/", upload, format="multipart")
    else:
        response = api.put(f"/api/documents/{circular.pk}/", upload, format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert (body["id"], body["version"], body["status"]) == (circular.pk, 2, "pending")
    (earlier,) = body["versions"]
    assert earlier["number"] == 1 and earlier["original_filename"] == "circulaire.txt"
    assert earlier["download_url"].endswith(f"/documents/{circular.pk}/versions/1/file")
    listed = api.get(f"/api/documents/{circular.pk}/versions/").json()
    assert [version["number"] for version in listed] == [1]


def test_the_api_answers_409_for_the_current_file_and_413_for_a_too_large_one(
    api, circular, settings
):
    same = api.post(
        f"/api/documents/{circular.pk}/versions/",
        {"file": SimpleUploadedFile("copie.txt", FIRST.encode())},
        format="multipart",
    )
    assert same.status_code == 409 and "identique" in same.json()["detail"]

    settings.UPLOAD_MAX_FILE_SIZE = 10
    large = api.post(
        f"/api/documents/{circular.pk}/versions/",
        {"file": SimpleUploadedFile("gros.txt", SECOND.encode())},
        format="multipart",
    )
    assert large.status_code == 413


def test_replacing_through_the_api_needs_the_change_permission(circular, django_user_model):
    uploader = django_user_model.objects.create_user("depot", password="x")
    uploader.user_permissions.add(Permission.objects.get(codename="add_document"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=uploader).key}")
    response = client.post(
        f"/api/documents/{circular.pk}/versions/",
        {"file": SimpleUploadedFile("v2.txt", SECOND.encode())},
        format="multipart",
    )
    assert response.status_code == 403
    assert client.get(f"/api/documents/{circular.pk}/").json()["version"] == 1


# index_documents


def test_index_documents_makes_a_changed_file_at_the_same_path_a_new_version(tmp_path):
    category = CategoryFactory(name="RH")
    folder = tmp_path / "partage"
    (folder / "Congés").mkdir(parents=True)
    guide = folder / "Congés" / "guide.txt"
    guide.write_text(FIRST)
    call_command("index_documents", str(folder), category="RH", stdout=io.StringIO())
    document = category.documents.get()
    assert document.source_path == "Congés/guide.txt"

    guide.write_text(SECOND)
    out = io.StringIO()
    call_command("index_documents", str(folder), category="RH", stdout=out)

    assert "0 document(s) created, 1 new version(s)" in out.getvalue()
    document.refresh_from_db()
    assert category.documents.count() == 1 and document.version == 2

    again = io.StringIO()
    call_command("index_documents", str(folder), category="RH", stdout=again)
    assert "0 new version(s), 1 duplicate(s)" in again.getvalue()


# The viewer


def test_the_viewer_says_which_version_it_shows_and_staff_download_the_earlier_ones(
    client, admin_client, django_user_model, circular
):
    replace_with_new_version(circular, stream=new_file(), filename="circulaire-v2.txt")
    agent = django_user_model.objects.create_user("agent", password="x")
    client.force_login(agent)
    view = reverse("documents:view", args=[circular.pk])
    earlier = reverse("documents:version-file", args=[circular.pk, 1])

    page = client.get(view).content.decode()
    assert 'data-testid="version"' in page and "2, du" in page
    assert earlier not in page
    assert client.get(earlier).status_code == 404

    staff_page = admin_client.get(view).content.decode()
    assert earlier in staff_page
    response = admin_client.get(earlier)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == FIRST
