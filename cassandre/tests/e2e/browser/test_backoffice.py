"""The backoffice in a real browser: a bulk upload is followed live to its indexing in the
admin's document list, a failed file says why, and the dashboard charts the questions asked
and sums what their answers cost."""

import re
import secrets

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import HUMAN_RESOURCES, UPLOADS
from documents.tests.builders import pdf
from testing.browser import NARROW_PHONE, ask, save_screenshot, screenshot_dir

pytestmark = pytest.mark.timeout(300)
# The in-process worker indexes one document at a time: with several uploaded together,
# the last one is still waiting when the document list opens.
UPLOADED_NOTES = 4
PAGES_PER_NOTE = 12
INDEXING_TIMEOUT = 90_000
ANSWER_TIMEOUT = 30_000
# Remembers, from the first paint, every status each progress bar shows.
RECORD_STATUSES = """
window.__statuses = {};
new MutationObserver(() => {
  for (const bar of document.querySelectorAll("[data-testid^='progress-']")) {
    const seen = (window.__statuses[bar.dataset.testid] ??= []);
    if (seen.at(-1) !== bar.dataset.status) seen.push(bar.dataset.status);
  }
}).observe(document, { subtree: true, childList: true, attributes: true });
"""


def service_note(number: int) -> bytes:
    return pdf(
        *(
            f"Note de service numéro {number}, page {page}.\n\n"
            + f"Les agents du service {number} se réunissent le lundi {page}. " * 12
            for page in range(1, PAGES_PER_NOTE + 1)
        )
    )


def test_a_bulk_upload_is_followed_to_indexed_in_the_document_list_without_reloading(
    page, deployment
):
    page.goto(f"{deployment.url}/backoffice/documents/upload/")
    page.locator("select[name=category]").select_option(label=UPLOADS)
    page.locator("input[type=file]").set_input_files(
        [
            {"name": f"note-{n}.pdf", "mimeType": "application/pdf", "buffer": service_note(n)}
            for n in range(1, UPLOADED_NOTES + 1)
        ]
    )
    page.locator("form:has(input[type=file]) [type=submit]").click()
    links = page.locator("a[href*='/admin/documents/document/'][href$='/change/']")
    expect(links).to_have_count(UPLOADED_NOTES)
    ids = [re.search(r"/(\d+)/change/$", link.get_attribute("href"))[1] for link in links.all()]

    page.add_init_script(RECORD_STATUSES)
    page.goto(f"{deployment.url}/admin/documents/document/")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    last = page.get_by_test_id(f"progress-{ids[-1]}")
    expect(last).not_to_have_attribute("data-status", "indexed")
    save_screenshot(page, "document-list-indexing")
    for document_id in ids:
        expect(page.get_by_test_id(f"progress-{document_id}")).to_have_attribute(
            "data-status", "indexed", timeout=INDEXING_TIMEOUT
        )

    seen = page.evaluate("window.__statuses")[f"progress-{ids[-1]}"]
    assert seen[0] != "indexed" and seen[-1] == "indexed", seen
    assert page.evaluate("window.__sameDocument") is True
    save_screenshot(page, "document-list-indexed")


def test_a_file_that_fails_says_why_on_the_upload_page_and_in_the_document_list(page, deployment):
    stamp = secrets.token_hex(4)  # the deployment is shared: names and contents of its own
    page.goto(f"{deployment.url}/backoffice/documents/upload/")
    page.locator("select[name=category]").select_option(label=UPLOADS)
    page.locator("input[type=file]").set_input_files(
        [
            {
                "name": f"casse-{stamp}.pdf",
                "mimeType": "application/pdf",
                "buffer": f"%PDF-1.4 {stamp} tronqué".encode(),
            },
            {
                "name": f"guide_conges_{stamp}.md",
                "mimeType": "text/markdown",
                "buffer": f"# Guide des congés {stamp}\n\nLes congés se posent en ligne.".encode(),
            },
        ]
    )
    page.locator("form:has(input[type=file]) [type=submit]").click()
    broken = page.get_by_test_id("upload-accepted").filter(has_text=f"casse-{stamp}.pdf")
    document_id = broken.get_by_role("progressbar").get_attribute("data-document")

    reason = page.get_by_test_id(f"reason-{document_id}")
    expect(reason).to_be_visible(timeout=INDEXING_TIMEOUT)
    expect(reason).to_contain_text("PDF illisible ou corrompu (format de données invalide)")
    expect(reason).not_to_contain_text("PDFium")
    expect(page.locator(f"[data-status-label='{document_id}']")).to_have_text("⚠ échec")
    save_screenshot(page, "upload-failure-reason")
    guide = page.get_by_test_id("upload-accepted").filter(has_text=f"guide_conges_{stamp}.md")
    expect(guide.get_by_role("progressbar")).to_have_attribute(
        "data-status", "indexed", timeout=INDEXING_TIMEOUT
    )

    page.goto(f"{deployment.url}/admin/documents/document/?q={stamp}")
    cell = page.get_by_test_id(f"reason-{document_id}")
    expect(cell).to_be_visible()
    expect(cell).to_have_attribute("title", re.compile(r"^PDF illisible ou corrompu"))
    expect(page.get_by_role("link", name=f"Guide des congés {stamp}")).to_be_visible(
        timeout=INDEXING_TIMEOUT
    )


def test_the_dashboard_draws_its_charts_of_the_questions_asked(page, deployment):
    page.goto(f"{deployment.url}/chat/search/{deployment.categories[HUMAN_RESOURCES]}/")
    exchange = ask(page, "Quand faut-il demander une formation ?")
    expect(exchange.get_by_test_id("answer")).to_have_attribute(
        "data-state", "done", timeout=ANSWER_TIMEOUT
    )
    exchange.get_by_test_id("thumbs-up").click()

    page.goto(f"{deployment.url}/backoffice/")
    expect(page.get_by_test_id("dashboard")).to_be_visible()
    expect(page.locator("svg[data-testid^='chart-']").first).to_be_visible()
    # The deployment's model has a tariff: the answer above cost something, and used energy.
    expect(page.get_by_test_id("total-cost")).to_have_text(re.compile(r"^0,\d*[1-9]\d* EUR$"))
    expect(page.get_by_test_id("total-energy")).to_have_text(re.compile(r"^\d+,\d\d Wh$"))
    expect(page.get_by_test_id("spend-by-category")).to_contain_text(HUMAN_RESOURCES)
    save_screenshot(page, "dashboard")
    spend = page.get_by_test_id("spend")
    spend.scroll_into_view_if_needed()
    spend.screenshot(path=str(screenshot_dir() / "dashboard-costs.png"))


@pytest.mark.parametrize(
    "path", ["/backoffice/", "/backoffice/documents/upload/", "/backoffice/inspector/"]
)
def test_a_backoffice_page_fits_a_narrow_phone_without_scrolling_sideways(
    new_page, deployment, path
):
    page = new_page(NARROW_PHONE)
    page.goto(f"{deployment.url}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]
