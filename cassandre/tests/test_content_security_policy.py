"""Every page carries a Content-Security-Policy: it runs the site's own script files only
(no inline script, no handler attribute, no eval; PDF.js's worker is one of them), frames
nothing and is framed by nothing, and posts forms and opens connections to the site only.
The browser suite runs with it and fails on any violation Chromium reports
(cassandre/tests/e2e/browser/conftest.py)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from common.content_security import page_policy
from documents.tests.builders import pdf
from documents.tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def policy_of(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive -> its sources."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize(
    "url",
    [
        reverse("chat:search"),
        reverse("backoffice:upload"),
        reverse("admin:index"),
        reverse("admin:documents_document_changelist"),
        reverse("admin:documents_document_add"),
    ],
    ids=["search", "backoffice_upload", "admin_index", "admin_documents", "admin_add"],
)
def test_pages_run_only_the_sites_own_scripts(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_login_page_carries_the_policy(client):
    response = client.get(reverse("login"))
    assert policy_of(response)["script-src"] == ["'self'"]


def test_the_viewer_runs_pdfjs_in_a_worker_of_the_sites_own_and_frames_nothing(admin_client):
    document = DocumentFactory(
        file=ContentFile(pdf("Note de service."), name="note.pdf"), mime_type="application/pdf"
    )
    response = admin_client.get(reverse("documents:view", args=[document.pk]))
    assert response.status_code == 200
    assert b'data-testid="pdf-viewer"' in response.content
    policy = policy_of(response)
    assert policy["worker-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-src"] == ["'none'"]


def test_pages_may_connect_to_the_sites_own_websockets(admin_client):
    assert policy_of(admin_client.get(reverse("chat:search")))["connect-src"] == ["'self'"]


def test_a_websocket_served_from_another_address_may_be_connected_to(admin_client, settings):
    settings.CONTENT_SECURITY_POLICY = page_policy(
        websocket_url="wss://ws.cassandre.example.org/base"
    )
    policy = policy_of(admin_client.get(reverse("chat:search")))
    assert policy["connect-src"] == ["'self'", "wss://ws.cassandre.example.org"]


def test_a_file_keeps_its_own_sandbox_policy(admin_client):
    document = DocumentFactory(file=ContentFile(b"<p>page</p>", name="page.html"))
    response = admin_client.get(reverse("documents:file", args=[document.pk]))
    assert response["Content-Security-Policy"] == "sandbox"


def test_json_answers_carry_no_page_policy(admin_client):
    assert "Content-Security-Policy" not in admin_client.get(reverse("healthz"))


def test_an_empty_setting_sends_no_policy(admin_client, settings):
    settings.CONTENT_SECURITY_POLICY = ""
    assert "Content-Security-Policy" not in admin_client.get(reverse("chat:search"))
