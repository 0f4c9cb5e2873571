"""`manage.py sync_folder`: a category kept in step with a local folder and with an S3 bucket
(the SeaweedFS server of the tests) — added, changed, removed files, and a second run
that changes nothing."""

import io
import os
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from documents.models import Document
from documents.tests.factories import CategoryFactory
from documents.uploads import create_document

pytestmark = pytest.mark.django_db

GUIDE = b"Les conges se posent en ligne, deux semaines avant."
GUIDE_2025 = b"Les conges se posent en ligne, trois semaines avant, depuis 2025."
NOTE = b"Le teletravail est possible deux jours par semaine."


class Folder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = str(root)

    def write(self, path: str, content: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)

    def remove(self, path: str) -> None:
        (self.root / path).unlink()

    def source_path(self, path: str) -> str:
        return f"{self.root.resolve().as_posix()}/{path}"


class Bucket:
    def __init__(self, client, name: str) -> None:
        self.client, self.name = client, name
        self.url = f"s3://{name}/partage"
        client.create_bucket(Bucket=name)

    def write(self, path: str, content: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=f"partage/{path}", Body=content)

    def remove(self, path: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=f"partage/{path}")

    def source_path(self, path: str) -> str:
        return f"{self.url}/{path}"


def s3_client(server):
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
    )


@pytest.fixture(autouse=True)
def _separate_worker(settings):
    settings.EMBEDDED_WORKER = False


@pytest.fixture
def folder(tmp_path) -> Folder:
    # tmp_path itself holds the test's media folder and vector store.
    (tmp_path / "partage").mkdir()
    return Folder(tmp_path / "partage")


@pytest.fixture
def bucket(request, settings) -> Bucket:
    server = request.getfixturevalue("s3_server")
    settings.MINIO_URL = server.endpoint_url
    settings.MINIO_ACCESS_KEY_ID, settings.MINIO_SECRET_ACCESS_KEY = (
        server.access_key,
        server.secret_key,
    )
    return Bucket(s3_client(server), f"sync-{uuid.uuid4().hex[:12]}")


@pytest.fixture(
    params=["folder", pytest.param("bucket", marks=[pytest.mark.e2e, pytest.mark.services])]
)
def source(request) -> Folder | Bucket:
    """Each test runs against a local folder and against a bucket of the S3 server."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def category():
    return CategoryFactory(name="Ressources humaines")


def sync(source: Folder | Bucket, *args: str) -> str:
    out = io.StringIO()
    call_command(
        "sync_folder", source.url, "--category", "Ressources humaines", *args, stdout=out,
        stderr=io.StringIO(),
    )  # fmt: skip
    return out.getvalue()


def documents(category) -> dict[str, Document]:
    return {document.title: document for document in category.documents.all()}


def test_new_files_are_added_to_the_category_titled_after_their_folders(source, category):
    source.write("RH/Congés/guide.txt", GUIDE)
    source.write("note_teletravail.txt", NOTE)
    source.write(".brouillon.txt", b"cache")
    source.write("RH/~$guide.docx", b"verrou")

    output = sync(source)

    assert set(documents(category)) == {"RH — Congés — guide", "note teletravail"}
    guide = documents(category)["RH — Congés — guide"]
    assert guide.source_path == source.source_path("RH/Congés/guide.txt")
    assert guide.status == Document.Status.PENDING and guide.archived_at is None
    assert "2 added, 0 new version(s), 0 restored, 0 unchanged, 0 archived, 0 rejected." in output
    assert f"added       RH/Congés/guide.txt: 'RH — Congés — guide' (#{guide.pk})" in output


def test_a_changed_file_becomes_a_new_version_of_its_document(source, category):
    source.write("guide.txt", GUIDE)
    sync(source)
    source.write("guide.txt", GUIDE_2025)

    output = sync(source)

    guide = category.documents.get()
    assert guide.version == 2
    with guide.file.open("rb") as stored:
        assert stored.read() == GUIDE_2025
    assert list(guide.versions.values_list("number", flat=True)) == [1]
    assert "0 added, 1 new version(s), 0 restored, 0 unchanged" in output
    assert f"new version guide.txt: 'guide' (#{guide.pk}) is now at version 2" in output


def test_a_removed_file_archives_its_document_out_of_search_but_kept(source, category):
    source.write("guide.txt", GUIDE)
    source.write("note.txt", NOTE)
    sync(source)
    source.remove("note.txt")

    output = sync(source)

    note = category.documents.get(title="note")
    assert note.archived_at is not None
    assert note.file.storage.exists(note.file.name)
    assert list(Document.objects.in_force(on=timezone.localdate())) == [
        category.documents.get(title="guide")
    ]
    assert "1 unchanged, 1 archived, 0 rejected." in output
    assert f"archived    note.txt: 'note' (#{note.pk})" in output


def test_with_delete_a_removed_file_deletes_its_document(source, category):
    source.write("guide.txt", GUIDE)
    source.write("note.txt", NOTE)
    sync(source)
    source.remove("note.txt")

    output = sync(source, "--delete")

    assert list(category.documents.values_list("title", flat=True)) == ["guide"]
    assert "1 unchanged, 1 deleted, 0 rejected." in output


def test_a_second_run_changes_nothing_and_says_so(source, category):
    source.write("RH/guide.txt", GUIDE)
    source.write("note.txt", NOTE)
    source.write("ancienne.txt", b"Ancienne circulaire.")
    sync(source)
    source.write("RH/guide.txt", GUIDE_2025)
    source.remove("ancienne.txt")
    sync(source)
    before = list(category.documents.order_by("pk").values())

    output = sync(source)

    assert list(category.documents.order_by("pk").values()) == before
    assert (
        "0 added, 0 new version(s), 0 restored, 2 unchanged, 0 archived, 0 rejected. "
        "Nothing changed." in output
    )


def test_a_file_coming_back_brings_its_archived_document_back(source, category):
    source.write("guide.txt", GUIDE)
    source.write("note.txt", NOTE)
    sync(source)
    source.remove("guide.txt")
    sync(source)
    source.write("guide.txt", GUIDE)

    output = sync(source)

    guide = category.documents.get(title="guide")
    assert guide.archived_at is None and guide.version == 1
    assert f"restored    guide.txt: 'guide' (#{guide.pk}) is searched again" in output


def test_a_file_coming_back_changed_is_a_new_version_of_its_archived_document(source, category):
    source.write("guide.txt", GUIDE)
    source.write("note.txt", NOTE)
    sync(source)
    source.remove("guide.txt")
    sync(source)
    source.write("guide.txt", GUIDE_2025)

    output = sync(source)

    guide = category.documents.get(title="guide")
    assert guide.archived_at is None and guide.version == 2
    assert "is now at version 2, restored" in output


def test_a_file_refused_is_reported_and_fails_the_command_with_strict(source, category):
    source.write("vide.txt", b"")
    source.write("guide.txt", GUIDE)

    with pytest.raises(CommandError, match="1 file\\(s\\) rejected"):
        sync(source, "--strict")

    assert list(category.documents.values_list("title", flat=True)) == ["guide"]


def test_a_file_moved_within_the_source_keeps_its_document(source, category):
    source.write("guide.txt", GUIDE)
    sync(source)
    guide = category.documents.get()
    source.remove("guide.txt")
    source.write("RH/guide.txt", GUIDE)

    output = sync(source)

    guide.refresh_from_db()
    assert category.documents.count() == 1 and guide.archived_at is None
    assert guide.source_path == source.source_path("RH/guide.txt")
    assert "1 restored, 0 unchanged, 1 archived" in output
    assert "Nothing changed." in sync(source)


# --- Local folders ------------------------------------------------------------------------


def test_a_file_touched_but_not_changed_is_no_new_version(folder, category):
    folder.write("guide.txt", GUIDE)
    sync(folder)
    later = (folder.root / "guide.txt").stat().st_mtime + 60
    os.utime(folder.root / "guide.txt", (later, later))

    output = sync(folder)

    assert category.documents.get().version == 1
    assert "1 unchanged" in output and "Nothing changed." in output


def test_a_missing_folder_stops_the_command_and_archives_nothing(folder, category):
    folder.write("guide.txt", GUIDE)
    sync(folder)
    folder.remove("guide.txt")
    folder.root.rmdir()

    with pytest.raises(CommandError, match="No such folder"):
        sync(folder)

    assert category.documents.get().archived_at is None


def test_a_folder_emptied_of_every_file_archives_nothing(folder, category):
    folder.write("guide.txt", GUIDE)
    sync(folder)
    folder.remove("guide.txt")

    with pytest.raises(CommandError, match="lists no file"):
        sync(folder)

    assert category.documents.get().archived_at is None


def test_a_document_uploaded_by_hand_is_linked_to_the_same_file_not_duplicated(folder, category):
    uploaded = create_document(category=category, stream=io.BytesIO(GUIDE), filename="guide.txt")
    folder.write("RH/guide.txt", GUIDE)

    output = sync(folder)

    uploaded.refresh_from_db()
    assert category.documents.count() == 1
    assert uploaded.source_path == folder.source_path("RH/guide.txt")
    assert "has the same content: linked to it" in output
    assert "Nothing changed." in sync(folder)


# --- Buckets ------------------------------------------------------------------------------


@pytest.mark.services
def test_a_bucket_skips_its_folder_markers_and_hidden_objects(bucket, category):
    bucket.write("RH/", b"")
    bucket.write("RH/.DS_Store", b"finder")
    bucket.write("RH/guide.txt", GUIDE)

    output = sync(bucket)

    assert list(category.documents.values_list("title", flat=True)) == ["RH — guide"]
    assert "1 added" in output and "0 rejected" in output


@pytest.mark.services
def test_options_give_the_bucket_s_endpoint_and_keys_over_the_settings(
    bucket, category, settings, s3_server
):
    bucket.write("guide.txt", GUIDE)
    settings.MINIO_URL, settings.MINIO_ACCESS_KEY_ID = "http://127.0.0.1:9", "nobody"

    output = sync(
        bucket,
        f"--endpoint-url={s3_server.endpoint_url}",
        f"--access-key={s3_server.access_key}",
        f"--secret-key={s3_server.secret_key}",
    )

    assert "1 added" in output


@pytest.mark.services
def test_an_unreachable_bucket_stops_the_command_and_archives_nothing(bucket, category, settings):
    bucket.write("guide.txt", GUIDE)
    sync(bucket)
    settings.MINIO_URL = "http://127.0.0.1:9"

    with pytest.raises(CommandError, match="Could not list"):
        sync(bucket)

    assert category.documents.get().archived_at is None
