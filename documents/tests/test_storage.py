"""Document files round-trip through both storage backends: a local folder and S3."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from common.services import ensure_storage_ready
from documents.tests.factories import DocumentFactory

CONTENT = "Circulaire n°12 : le télétravail.".encode()


def round_trip() -> None:
    name = default_storage.save("documents/rh/circulaire.txt", ContentFile(CONTENT))
    assert default_storage.exists(name)
    with default_storage.open(name) as stored:
        assert stored.read() == CONTENT
    assert default_storage.size(name) == len(CONTENT)
    default_storage.delete(name)
    assert not default_storage.exists(name)


def test_local_storage_round_trips_a_file():
    ensure_storage_ready()
    round_trip()


@pytest.mark.services
def test_ensure_storage_ready_creates_the_s3_bucket_once(s3_storage):
    assert ensure_storage_ready() == "S3 bucket cassandre-test"
    assert ensure_storage_ready() == "S3 bucket cassandre-test"
    names = [bucket["Name"] for bucket in s3_storage.list_buckets()["Buckets"]]
    assert names.count("cassandre-test") == 1


@pytest.mark.services
def test_s3_storage_round_trips_a_file_through_seaweedfs(s3_storage):
    ensure_storage_ready()
    round_trip()


@pytest.mark.services
@pytest.mark.django_db
def test_an_uploaded_document_lands_in_the_s3_bucket(s3_storage):
    ensure_storage_ready()
    document = DocumentFactory()
    stored = s3_storage.get_object(Bucket="cassandre-test", Key=document.file.name)
    assert stored["Body"].read().startswith(b"Le teletravail")
