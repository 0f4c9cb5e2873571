"""A conversation leaves with its sources: the page's links download it as Markdown and Word,
each citation of the answer resolved to its document's title."""

import re
from io import BytesIO
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import HUMAN_RESOURCES, TELEWORK_QUESTION
from testing.browser import ask, save_screenshot

pytestmark = pytest.mark.timeout(300)
ANSWER_TIMEOUT = 30_000


def test_the_conversation_downloads_as_markdown_and_word_with_its_sources(page, deployment):
    page.goto(f"{deployment.url}/chat/search/{deployment.categories[HUMAN_RESOURCES]}/")
    exchange = ask(page, TELEWORK_QUESTION)
    expect(exchange.get_by_test_id("answer")).to_have_attribute(
        "data-state", "done", timeout=ANSWER_TIMEOUT
    )
    links = page.get_by_test_id("conversation-export")
    expect(links).to_be_visible()
    save_screenshot(page, "conversation-export-links", full_page=False)

    with page.expect_download() as markdown:
        links.get_by_test_id("export-md").click()
    with page.expect_download() as word:
        links.get_by_test_id("export-docx").click()

    text = Path(markdown.value.path()).read_text()
    assert TELEWORK_QUESTION in text
    references = re.findall(r"^- \[(\d+)\] (.+)$", text, flags=re.MULTILINE)
    assert references, text
    paragraphs = [
        p.text for p in docx.Document(BytesIO(Path(word.value.path()).read_bytes())).paragraphs
    ]
    for number, reference in references:
        assert f"[{number}] {reference}" in paragraphs
    assert word.value.suggested_filename.endswith(".docx")
