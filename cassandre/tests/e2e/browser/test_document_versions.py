"""A document replaced by a new version in a real browser: the admin's « Remplacer par une
nouvelle version », then the viewer names the version it shows and keeps the earlier one."""

import re

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import UPLOADS
from testing.browser import save_screenshot

pytestmark = pytest.mark.timeout(300)
INDEXING_TIMEOUT = 90_000
FIRST = "Circulaire sur les astreintes : une indemnité de 40 euros par week-end."
SECOND = "Circulaire sur les astreintes, modifiée : une indemnité de 55 euros par week-end."


def upload(page, deployment) -> str:
    """Upload the first version; return the document's admin change page."""
    page.goto(f"{deployment.url}/backoffice/documents/upload/")
    page.locator("select[name=category]").select_option(label=UPLOADS)
    page.locator("input[type=file]").set_input_files(
        [{"name": "astreintes.txt", "mimeType": "text/plain", "buffer": FIRST.encode()}]
    )
    page.locator("form:has(input[type=file]) [type=submit]").click()
    link = page.locator("a[href*='/admin/documents/document/'][href$='/change/']")
    expect(link).to_have_count(1)
    return f"{deployment.url}{link.get_attribute('href')}"


def test_a_document_replaced_by_a_new_version_shows_it_in_the_viewer(page, deployment):
    change = upload(page, deployment)
    document_id = re.search(r"/(\d+)/change/$", change)[1]

    page.goto(change)
    page.get_by_test_id("new-version").click()
    page.locator("input[type=file]").set_input_files(
        [{"name": "astreintes-2026.txt", "mimeType": "text/plain", "buffer": SECOND.encode()}]
    )
    page.get_by_role("button", name="Remplacer").click()
    expect(page.locator(".messagelist")).to_contain_text("passe à la version 2")
    expect(page.get_by_role("link", name=re.compile("version 1 — astreintes.txt"))).to_be_visible()

    page.goto(f"{deployment.url}/admin/documents/document/")
    expect(page.get_by_test_id(f"progress-{document_id}")).to_have_attribute(
        "data-status", "indexed", timeout=INDEXING_TIMEOUT
    )
    page.goto(f"{deployment.url}/documents/{document_id}/")
    expect(page.get_by_test_id("version")).to_contain_text("2, du")
    expect(page.get_by_test_id("document-text")).to_contain_text("55 euros")
    earlier = page.get_by_test_id("earlier-versions")
    earlier.locator("summary").click()
    expect(earlier.get_by_role("link")).to_have_text(re.compile("Version 1 — astreintes.txt"))
    save_screenshot(page, "document-viewer-version-2")
