import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_uploads_over_the_rate_are_refused_with_a_message(admin_client, settings):
    settings.RATE_LIMIT_UPLOADS = (1, 60)
    category = CategoryFactory()

    def upload(name: str):
        note = SimpleUploadedFile(name, f"Note {name}.".encode())
        return admin_client.post(
            reverse("backoffice:upload"), {"category": category.pk, "files": [note]}
        )

    assert upload("premiere.txt").status_code == 200
    response = upload("seconde.txt")
    assert response.status_code == 429
    assert "Trop de dépôts en peu de temps" in response.content.decode()
    assert list(Document.objects.values_list("title", flat=True)) == ["premiere"]
