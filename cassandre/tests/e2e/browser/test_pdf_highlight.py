"""A cited PDF in a real browser: PDF.js draws the cited page and marks the passage in its
text layer, wherever the lines break; a scanned page, without text, keeps the quote above
it with a note; the pages can still be turned and the file downloaded; a PDF that PDF.js
cannot read says so."""

import secrets
import unicodedata

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import UPLOADS
from documents.tests.builders import pdf, scan_of
from testing.browser import save_screenshot

pytestmark = pytest.mark.timeout(300)
INDEXING_TIMEOUT = 120_000
# Page 2 cites a sentence that the page lays out over several lines, one word cut by a
# hyphen at a line's end.
RULES_PAGES = (
    "Règlement des astreintes du service technique.\n\nIl fixe l'organisation des astreintes.",
    "Indemnisation des astreintes.\n\nChaque semaine d'astreinte ouvre droit à une indemnité "
    "forfaitaire de cent-\nvingt euros, versée avec le traitement du mois suivant, et à un "
    "repos compensateur d'une journée entière.",
    "Dispositions finales.\n\nLe règlement entre en vigueur le premier janvier.",
)
CITED = "Chaque semaine d'astreinte ouvre droit à une indemnité forfaitaire de cent-vingt euros"
SCANNED = (
    "Inventaire des archives.\n\nLes registres du courrier arrivé sont conservés dix ans "
    "au sous-sol du bâtiment principal."
)


def letters(text: str) -> str:
    """`text` as the viewer compares it: letters and digits, without case nor accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(character for character in decomposed if character.isalnum()).lower()


@pytest.fixture(scope="module")
def cited(browser, signed_in_state, deployment) -> dict[str, str]:
    """Upload a three-page text PDF, a scanned one and a broken one; once indexed, the viewer
    addresses of the first two's cited passages, as the search API gives them (source cards
    link the same), and the broken one's."""
    stamp = secrets.token_hex(4)  # the deployment is shared: names of its own
    context = browser.new_context(storage_state=signed_in_state)
    page = context.new_page()
    page.goto(f"{deployment.url}/backoffice/documents/upload/")
    page.locator("select[name=category]").select_option(label=UPLOADS)
    files = {
        "rules": (f"astreintes-{stamp}.pdf", pdf(*RULES_PAGES)),
        "scan": (f"inventaire-{stamp}.pdf", pdf(scan_of(SCANNED))),
        "broken": (f"casse-{stamp}.pdf", f"%PDF-1.4 {stamp} tronqué".encode()),
    }
    page.locator("input[type=file]").set_input_files(
        [
            {"name": name, "mimeType": "application/pdf", "buffer": content}
            for name, content in files.values()
        ]
    )
    page.locator("form:has(input[type=file]) [type=submit]").click()
    ids = {}
    for key, (name, _) in files.items():
        accepted = page.get_by_test_id("upload-accepted").filter(has_text=name)
        ids[key] = accepted.get_by_role("progressbar").get_attribute("data-document")
    page.goto(f"{deployment.url}/admin/documents/document/")
    for document_id in (ids["rules"], ids["scan"]):
        expect(page.get_by_test_id(f"progress-{document_id}")).to_have_attribute(
            "data-status", "indexed", timeout=INDEXING_TIMEOUT
        )

    def viewer_url(key: str, question: str) -> str:
        response = page.request.get(
            f"{deployment.url}/api/search",
            params={"q": question, "category": deployment.categories[UPLOADS], "mode": "bm25"},
        )
        assert response.ok, response.text()
        (result,) = [r for r in response.json()["results"] if str(r["document_id"]) == ids[key]]
        return f"{deployment.url}{result['url']}"

    urls = {
        "rules": viewer_url("rules", "indemnité forfaitaire semaine d'astreinte"),
        "scan": viewer_url("scan", "registres du courrier conservés au sous-sol"),
        "broken": f"{deployment.url}/documents/{ids['broken']}/",
    }
    context.close()
    return urls


def test_the_cited_passage_is_highlighted_in_the_text_layer_of_its_page(page, cited):
    page.goto(cited["rules"])
    viewer = page.get_by_test_id("pdf-viewer")
    marks = viewer.locator("[data-testid=pdf-page] .textLayer span > mark.passage-highlight")
    expect(marks.first).to_be_visible()
    expect(viewer.get_by_test_id("pdf-page")).to_have_attribute("data-drawn", "2")
    expect(viewer.get_by_test_id("pdf-page-number")).to_have_value("2")
    expect(viewer.get_by_test_id("pdf-page-count")).to_have_text("3")

    texts = marks.all_text_contents()
    assert len(texts) > 1, texts  # the sentence runs over several lines of the page
    assert letters(CITED) in letters("".join(texts)), texts
    assert any(text.startswith("Chaque semaine d'astreinte") for text in texts), texts
    expect(marks.first).to_be_in_viewport()
    expect(viewer.get_by_test_id("pdf-passage-not-found")).to_be_hidden()
    expect(page.get_by_test_id("pdf-passage")).to_contain_text("Chaque semaine d'astreinte")
    expect(page.get_by_test_id("download")).to_be_visible()
    save_screenshot(page, "viewer-pdf-highlight", full_page=False)


def test_the_pages_turn_and_the_passage_is_marked_again_on_its_page(page, cited):
    page.goto(cited["rules"])
    viewer = page.get_by_test_id("pdf-viewer")
    marks = viewer.locator(".passage-highlight")
    expect(marks.first).to_be_visible()

    viewer.get_by_test_id("pdf-next").click()
    expect(viewer.get_by_test_id("pdf-page")).to_have_attribute("data-drawn", "3")
    expect(viewer.get_by_test_id("pdf-next")).to_be_disabled()
    expect(viewer.locator(".textLayer")).to_contain_text("Dispositions finales")
    expect(marks).to_have_count(0)

    viewer.get_by_test_id("pdf-page-number").fill("1")
    viewer.get_by_test_id("pdf-page-number").press("Enter")
    expect(viewer.get_by_test_id("pdf-page")).to_have_attribute("data-drawn", "1")
    expect(viewer.get_by_test_id("pdf-previous")).to_be_disabled()

    viewer.get_by_test_id("pdf-next").click()
    expect(viewer.get_by_test_id("pdf-page")).to_have_attribute("data-drawn", "2")
    expect(marks.first).to_be_visible()


def test_a_scanned_page_keeps_the_quote_above_it_with_a_note(page, cited):
    page.goto(cited["scan"])
    viewer = page.get_by_test_id("pdf-viewer")
    expect(viewer.get_by_test_id("pdf-page")).to_have_attribute("data-drawn", "1")
    note = viewer.get_by_test_id("pdf-passage-not-found")
    expect(note).to_be_visible()
    expect(note).to_have_text(
        "Le passage n'a pas été retrouvé dans le texte de cette page : il est cité ci-dessus."
    )
    expect(viewer.locator(".passage-highlight")).to_have_count(0)
    expect(page.get_by_test_id("pdf-passage")).to_contain_text("registres")
    expect(page.get_by_test_id("download")).to_be_visible()
    save_screenshot(page, "viewer-pdf-scan", full_page=False)


def test_a_pdf_that_cannot_be_read_says_so_and_stays_downloadable(page, cited):
    page.goto(cited["broken"])
    failed = page.get_by_test_id("pdf-failed")
    expect(failed).to_be_visible()
    expect(failed).to_have_text(
        "Le PDF n'a pas pu être affiché ici : téléchargez-le pour le consulter."
    )
    expect(page.get_by_test_id("pdf-page")).to_be_hidden()
    expect(page.get_by_test_id("download")).to_be_visible()
