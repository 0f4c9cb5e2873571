"""Markup from a document, a question or the model stays text: nothing it holds runs, in the
streamed answer, the source cards, a conversation reopened from the history or the viewer."""

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import HOSTILE_MARKUP, SECURITY, SECURITY_QUESTION
from testing.browser import ask, save_screenshot

pytestmark = pytest.mark.timeout(300)
ANSWER_TIMEOUT = 30_000
SCRIPT_TAG = "<script>window."
IMAGE_TAG = '<img src=x onerror="window.'


def assert_nothing_ran(page, dialogs: list[str]) -> None:
    # The Markdown extractor reads `__xss=1 … window.__` as bold: the note's text says
    # `window.xss`, which an injected handler would set instead.
    assert page.evaluate("[typeof window.__xss, typeof window.xss]") == ["undefined"] * 2
    expect(page.locator("img[src=x]")).to_have_count(0)
    expect(page.locator("script", has_text="__xss")).to_have_count(0)
    assert dialogs == []


def test_hostile_markup_in_a_document_a_question_and_an_answer_is_shown_as_text(
    page, deployment, dialogs
):
    page.goto(f"{deployment.url}/chat/search/{deployment.categories[SECURITY]}/")
    exchange = ask(page, f"{SECURITY_QUESTION} {HOSTILE_MARKUP}")
    answer = exchange.get_by_test_id("answer")
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)

    expect(exchange).to_contain_text(f"{SECURITY_QUESTION} {HOSTILE_MARKUP}")
    # Markdown (the answer's, the note's) may take the underscores for emphasis, never the
    # markup for markup.
    expect(answer).to_contain_text(SCRIPT_TAG)
    expect(answer).to_contain_text(IMAGE_TAG)
    source = exchange.get_by_test_id("source-card").first
    expect(source).to_contain_text(SCRIPT_TAG)
    expect(source).to_contain_text(IMAGE_TAG)
    assert_nothing_ran(page, dialogs)
    save_screenshot(page, "xss-answer", full_page=False)

    page.reload()
    page.get_by_test_id("history-item").first.click()
    reopened = page.get_by_test_id("answer").first
    expect(reopened).to_contain_text(SCRIPT_TAG)
    expect(page.get_by_test_id("source-card").first).to_contain_text(SCRIPT_TAG)
    assert_nothing_ran(page, dialogs)

    chip = page.get_by_test_id("source-card").first
    chip.locator("summary").click()
    with page.expect_popup() as opened:
        chip.get_by_test_id("open-document").click()
    viewer = opened.value
    text = viewer.get_by_test_id("document-text")
    expect(text).to_contain_text(SCRIPT_TAG)
    expect(text).to_contain_text(IMAGE_TAG)
    expect(viewer.get_by_test_id("passage")).to_be_visible()
    assert_nothing_ran(viewer, dialogs)
    save_screenshot(viewer, "viewer-text", full_page=False)


def test_hostile_markup_in_the_passages_listed_for_a_plain_search_is_text(
    page, deployment, dialogs
):
    category = deployment.categories[SECURITY]
    page.goto(f"{deployment.url}/chat/search/{category}/?q=consignes+script+window")
    passages = page.locator("#passages")
    expect(passages).to_contain_text(SCRIPT_TAG)
    expect(passages).to_contain_text(IMAGE_TAG)
    expect(passages.locator("mark").first).to_be_visible()  # the matched words, highlighted
    assert_nothing_ran(page, dialogs)
