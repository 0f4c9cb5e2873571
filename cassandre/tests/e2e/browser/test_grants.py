"""Access in a real browser: an administrator gives a new user one category on the
category's page alone (picking the user, searched as typed), then that user signs in and
searches it; the user's page says which categories they read and why."""

import uuid

import pytest
from playwright.sync_api import expect

from testing.browser import DESKTOP, NARROW_PHONE, ask, create_user, log_in, save_screenshot

pytestmark = pytest.mark.timeout(300)
INDEXING_TIMEOUT = 90_000
ANSWER_TIMEOUT = 30_000
PASSWORD = "recrue-password-not-secret"  # a throwaway deployment, dropped at the end
RULES = (
    "# Règlement du parc automobile\n\n"
    "Les véhicules de service se réservent la veille avant midi auprès de l'accueil. "
    "Le carnet de bord est rempli à chaque retour, avec le kilométrage et le plein.\n"
)
QUESTION = "Comment réserver un véhicule de service ?"


@pytest.fixture
def suffix() -> str:
    """Names of this test's own user and category: the deployment is shared by the suite."""
    return uuid.uuid4().hex[:8]


def create_category_with_a_document(page, base_url: str, name: str) -> str:
    """A category readable by its groups and users only, holding RULES once indexed;
    returns the address of its admin page."""
    page.goto(f"{base_url}/admin/documents/category/add/")
    page.fill("#id_name", name)
    expect(page.locator("#id_visibility")).to_have_value("groups")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    category_page = page.url

    page.goto(f"{base_url}/backoffice/documents/upload/")
    page.locator("select[name=category]").select_option(label=name)
    page.locator("input[type=file]").set_input_files(
        [{"name": "parc-automobile.md", "mimeType": "text/markdown", "buffer": RULES.encode()}]
    )
    page.locator("form:has(input[type=file]) [type=submit]").click()
    link = page.locator("a[href*='/admin/documents/document/'][href$='/change/']")
    document_id = link.get_attribute("href").rstrip("/").split("/")[-2]
    page.goto(f"{base_url}/admin/documents/document/?q=parc-automobile")
    expect(page.get_by_test_id(f"progress-{document_id}")).to_have_attribute(
        "data-status", "indexed", timeout=INDEXING_TIMEOUT
    )
    return category_page


def pick_reader(page, username: str) -> None:
    """Type the first letters of the user in the category's readers, and pick them."""
    page.locator(".field-readers .select2-selection").click()
    page.locator(".field-readers .select2-search__field").fill(username[:12])
    page.locator(".select2-results__option", has_text=username).click()


def test_a_new_user_is_given_one_category_on_its_page_and_searches_it(
    page, browser, deployment, suffix
):
    username, category = f"recrue-{suffix}", f"Parc automobile {suffix}"
    create_user(page, deployment.url, username, PASSWORD)
    category_page = create_category_with_a_document(page, deployment.url, category)

    # The grant itself: one screen, the category's page.
    page.goto(category_page)
    pick_reader(page, username)
    expect(page.locator(".field-readers .select2-selection__choice")).to_contain_text(username)
    page.locator(".field-readers").scroll_into_view_if_needed()
    save_screenshot(page, "grants-category-desktop", full_page=False)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()

    reader = browser.new_context(viewport=DESKTOP, locale="fr-FR", reduced_motion="reduce")
    try:
        search = reader.new_page()
        log_in(search, deployment.url, username=username, password=PASSWORD)
        search.get_by_test_id("category-picker").get_by_text(category).click()
        exchange = ask(search, QUESTION)
        expect(exchange.get_by_test_id("answer")).to_have_attribute(
            "data-state", "done", timeout=ANSWER_TIMEOUT
        )
        expect(exchange.get_by_test_id("source-card").first).to_contain_text("parc")
    finally:
        reader.close()

    page.goto(f"{deployment.url}/admin/auth/user/?q={username}")
    page.get_by_role("link", name=username).click()
    expect(page.locator(".field-categories_read")).to_contain_text(
        f"{category} — accordée nommément"
    )
    page.locator(".field-categories_read").scroll_into_view_if_needed()
    save_screenshot(page, "grants-user-desktop", full_page=False)


def test_the_category_s_readers_can_be_picked_on_a_phone(new_page, deployment, suffix):
    username, category = f"lecteur-{suffix}", f"Archives {suffix}"
    page = new_page(NARROW_PHONE)
    create_user(page, deployment.url, username, PASSWORD)
    page.goto(f"{deployment.url}/admin/documents/category/add/")
    page.fill("#id_name", category)
    pick_reader(page, username)
    page.locator(".field-readers").scroll_into_view_if_needed()
    save_screenshot(page, "grants-category-phone", full_page=False)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
