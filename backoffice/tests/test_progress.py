"""Live indexing progress on the admin document list: the bars, and the endpoint they poll."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from documents.models import Document
from documents.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

PROGRESS_URL = reverse("backoffice:document-progress")
CHANGELIST_URL = reverse("admin:documents_document_changelist")


def test_the_endpoint_gives_the_progress_of_the_documents_asked_for(admin_client):
    processing = DocumentFactory()
    Document.objects.filter(pk=processing.pk).update(
        status=Document.Status.PROCESSING, progress=40, chunk_count=12
    )
    failed = DocumentFactory()
    Document.objects.filter(pk=failed.pk).update(
        status=Document.Status.FAILED, error_message="Fichier illisible."
    )
    DocumentFactory()
    response = admin_client.get(f"{PROGRESS_URL}?ids={processing.pk},{failed.pk},x,")
    assert response.status_code == 200
    assert response.json() == {
        "documents": [
            {
                "document": processing.pk,
                "category": processing.category_id,
                "status": "processing",
                "progress": 40,
                "chunks": 12,
                "error": "",
                "near_duplicate": None,
            },
            {
                "document": failed.pk,
                "category": failed.category_id,
                "status": "failed",
                "progress": 0,
                "chunks": 0,
                "error": "Fichier illisible.",
                "near_duplicate": None,
            },
        ]
    }


def test_the_progress_of_a_probable_new_version_offers_to_merge_it(admin_client):
    earlier = DocumentFactory(title="Guide des congés")
    later = DocumentFactory(category=earlier.category)
    Document.objects.filter(pk=later.pk).update(
        status=Document.Status.INDEXED, similar_to=earlier, similarity=0.934
    )

    (progress,) = admin_client.get(f"{PROGRESS_URL}?ids={later.pk}").json()["documents"]

    assert progress["near_duplicate"] == {
        "document": earlier.pk,
        "title": "Guide des congés",
        "similarity": 0.934,
        "percent": 93,
        "merge_url": reverse("admin:documents_document_merge", args=[later.pk, earlier.pk]),
        "keep_url": reverse("admin:documents_document_keep_apart", args=[later.pk]),
    }


def test_the_endpoint_without_ids_answers_an_empty_list(admin_client):
    assert admin_client.get(PROGRESS_URL).json() == {"documents": []}


def test_staff_who_may_not_see_documents_are_refused(client, django_user_model):
    staff = django_user_model.objects.create_user("stagiaire", is_staff=True)
    client.force_login(staff)
    url = f"{PROGRESS_URL}?ids={DocumentFactory().pk}"
    assert client.get(url).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_document"))
    assert client.get(url).status_code == 200


def test_the_admin_list_shows_a_progress_bar_per_document(admin_client):
    indexed = DocumentFactory()
    Document.objects.filter(pk=indexed.pk).update(status=Document.Status.INDEXED, progress=100)
    processing = DocumentFactory()
    Document.objects.filter(pk=processing.pk).update(status=Document.Status.PROCESSING, progress=35)
    page = admin_client.get(CHANGELIST_URL).content.decode()
    bar = page.split(f'data-testid="progress-{processing.pk}"', 1)[1].split(">", 1)[0]
    assert 'data-status="processing"' in bar and 'role="progressbar"' in bar
    assert f'data-title="{processing}"' in bar
    assert 'aria-valuenow="35"' in page and "width: 35%" in page
    assert f'data-testid="progress-{indexed.pk}"' in page and 'data-status="indexed"' in page
    assert f'data-status-label="{processing.pk}"' in page and "en cours (35 %)" in page
    assert "js/backoffice/progress.js" in page


def test_the_admin_list_gives_its_script_the_endpoints_and_the_words(admin_client):
    DocumentFactory()
    page = admin_client.get(CHANGELIST_URL).content.decode()
    raw = page.split('<script id="progress-strings" type="application/json">')[1]
    strings = json.loads(raw.split("</script>")[0])
    assert strings["endpoint"] == PROGRESS_URL
    assert strings["socket"] == "/ws/backoffice/progress/"
    assert strings["labels"] == {
        "pending": "en attente",
        "processing": "en cours",
        "indexed": "indexé",
        "failed": "échec",
    }
    assert (
        strings["merge"] == "En faire une nouvelle version de « {title} » ({percent} % identique)"
    )


def test_a_failed_document_shows_why_on_its_status(admin_client):
    document = DocumentFactory()
    Document.objects.filter(pk=document.pk).update(
        status=Document.Status.FAILED, error_message="<b>illisible</b>"
    )
    page = admin_client.get(CHANGELIST_URL).content.decode()
    assert 'title="&lt;b&gt;illisible&lt;/b&gt;">⚠ échec' in page


def test_the_admin_list_shows_why_a_document_failed_in_a_column_of_its_own(admin_client):
    failed = DocumentFactory()
    reason = "PDF illisible ou corrompu (format de données invalide). <Réenregistrez-le>"
    Document.objects.filter(pk=failed.pk).update(
        status=Document.Status.FAILED, error_message=reason
    )
    indexed = DocumentFactory()
    Document.objects.filter(pk=indexed.pk).update(status=Document.Status.INDEXED)

    page = admin_client.get(CHANGELIST_URL).content.decode()

    assert 'class="column-failure_reason"' in page
    cell = page.split(f'data-testid="reason-{failed.pk}"', 1)[1].split("</span>", 1)[0]
    escaped = "PDF illisible ou corrompu (format de données invalide). &lt;Réenregistrez-le&gt;"
    assert f'title="{escaped}"' in cell and cell.endswith(f">{escaped}")
    empty = page.split(f'data-testid="reason-{indexed.pk}"', 1)[1].split(">", 1)[0]
    assert "hidden" in empty


def test_the_status_filter_is_kept(admin_client):
    pending = DocumentFactory()
    indexed = DocumentFactory()
    Document.objects.filter(pk=indexed.pk).update(status=Document.Status.INDEXED)
    page = admin_client.get(f"{CHANGELIST_URL}?status__exact=indexed").content.decode()
    assert f'data-testid="progress-{indexed.pk}"' in page
    assert f'data-testid="progress-{pending.pk}"' not in page


def test_an_id_too_large_for_the_database_is_no_document_not_an_error(admin_client):
    response = admin_client.get(f"{PROGRESS_URL}?ids={'9' * 400},1")

    assert response.status_code == 200 and response.json() == {"documents": []}
