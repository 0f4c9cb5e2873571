"""With DEBUG off, every error is a short page in the reader's language with a way back to
the search page, and never Django's technical page (URL patterns, settings, traceback)."""

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

TECHNICAL_WORDS = ("URLconf", "Traceback", "settings", "DEBUG", "Django")
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


@pytest.fixture
def reader(db):
    return get_user_model().objects.create_user(username="lecteur", password="x")


def shows_nothing_technical(page: str) -> bool:
    return not any(word in page for word in TECHNICAL_WORDS)


def test_an_unknown_address_is_a_french_404_page_leading_back_to_the_search(client, db):
    response = client.get("/nulle-part/")
    page = response.content.decode()

    assert response.status_code == 404
    assert "Page introuvable" in page and f'href="{reverse("chat:search")}"' in page
    assert shows_nothing_technical(page)


def test_the_404_page_is_in_english_for_an_english_reader(client, db):
    page = client.get("/nulle-part/", **ENGLISH).content.decode()
    assert "Page not found" in page and "Page introuvable" not in page


def test_the_404_page_has_the_site_header_for_a_signed_in_reader(client, reader):
    client.force_login(reader)
    page = client.get("/nulle-part/").content.decode()
    assert "lecteur" in page and "Se déconnecter" in page


def test_a_body_over_the_upload_limit_is_a_short_413_page(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("login"), {"username": "x" * 2000, "password": "x"})
    page = response.content.decode()

    assert response.status_code == 413
    assert "Envoi trop volumineux" in page and 'href="/"' in page
    assert shows_nothing_technical(page)


def test_the_413_page_is_in_english_for_an_english_reader(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("login"), {"username": "x" * 2000}, **ENGLISH)
    assert "Request too large" in response.content.decode()


def test_a_body_over_the_limit_behind_the_csrf_check_is_a_413_page_too(db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # the CSRF cookie: the check then reads the posted token
    response = client.post(reverse("login"), {"username": "x" * 2000})
    assert response.status_code == 413 and "Envoi trop volumineux" in response.content.decode()


def test_a_malformed_request_is_a_short_400_page(client, db):
    response = client.get("/", HTTP_HOST="not-a-served-host.example")
    page = response.content.decode()

    assert response.status_code == 400
    assert "Requête invalide" in page and 'href="/"' in page
    assert shows_nothing_technical(page)


@pytest.mark.parametrize("template", ["400.html", "413.html", "500.html"])
def test_the_pages_of_a_failing_request_render_without_request_nor_database(template):
    """Rendered with no request: no context processor, session or query may run, since any
    of them may be what failed."""
    with translation.override("fr"):
        page = render_to_string(template)
    assert '<html lang="fr">' in page and 'href="/"' in page and "{%" not in page
