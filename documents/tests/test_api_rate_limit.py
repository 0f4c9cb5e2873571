import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from documents.models import Document
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_the_upload_api_answers_429_over_the_uploads_rate(admin_user, settings):
    settings.RATE_LIMIT_UPLOADS = (1, 60)
    category = CategoryFactory()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")

    def upload(name: str):
        note = SimpleUploadedFile(name, f"Note {name}.".encode(), content_type="text/plain")
        return api.post("/api/documents/", {"category": category.slug, "file": [note]})

    assert upload("premiere.txt").status_code == 201
    response = upload("seconde.txt")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Trop de dépôts en peu de temps")
    assert "Retry-After" in response
    assert Document.objects.count() == 1
