"""The error pages in a real browser, on a desktop and on a phone: a reader who opens the
backoffice gets a clear 403 with a way back to the search, a dead link gets the French 404
under the site's own header, and neither is ever Django's technical page."""

import pytest
from playwright.sync_api import expect

from testing.browser import DESKTOP, NARROW_PHONE, save_screenshot

pytestmark = pytest.mark.timeout(120)
SCREENS = pytest.mark.parametrize(
    "viewport, screen", [(DESKTOP, "desktop"), (NARROW_PHONE, "phone")], ids=["desktop", "phone"]
)
TECHNICAL_WORDS = ("URLconf", "Traceback", "DEBUG", "Django")


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shows_nothing_technical(page) -> bool:
    text = page.locator("body").inner_text()
    return not any(word in text for word in TECHNICAL_WORDS)


@SCREENS
def test_a_reader_on_the_backoffice_gets_a_403_that_leads_back_to_the_search(
    new_page, deployment, viewport, screen
):
    page = new_page(viewport, reader=True)

    response = page.goto(f"{deployment.url}/backoffice/")

    assert response.status == 403
    error = page.get_by_test_id("error-page")
    expect(error).to_contain_text("Erreur 403")
    expect(error.get_by_role("heading", name="Accès refusé")).to_be_visible()
    expect(error).to_contain_text("demandez l'accès à un administrateur")
    assert shows_nothing_technical(page) and fits_the_screen(page)
    save_screenshot(page, f"error-403-{screen}")

    error.get_by_role("link", name="Retour à la recherche").click()

    page.wait_for_url(f"{deployment.url}/chat/search/")
    expect(page.get_by_test_id("error-page")).to_have_count(0)


def test_a_reader_on_the_admin_gets_the_same_403_and_not_its_sign_in_form(new_page, deployment):
    page = new_page(reader=True)

    response = page.goto(f"{deployment.url}/admin/")

    assert response.status == 403
    expect(page.get_by_test_id("error-page")).to_contain_text("Accès refusé")
    expect(page.locator("#id_password")).to_have_count(0)


@SCREENS
def test_a_dead_link_is_the_french_404_under_the_sites_header(
    new_page, deployment, viewport, screen
):
    page = new_page(viewport, reader=True)

    response = page.goto(f"{deployment.url}/documents/ce-lien-n-existe-plus/")

    assert response.status == 404
    header = page.get_by_role("navigation", name="Navigation principale")
    expect(header.get_by_role("link", name="Cassandre")).to_be_visible()
    if screen == "phone":  # the header folds its links and the user menu under « Menu »
        header.get_by_role("button", name="Menu").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    error = page.get_by_test_id("error-page")
    expect(error).to_contain_text("Erreur 404")
    expect(error.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(error.get_by_role("link", name="Retour à la recherche")).to_be_visible()
    assert shows_nothing_technical(page) and fits_the_screen(page)
    save_screenshot(page, f"error-404-{screen}")
