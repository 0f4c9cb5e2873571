"""The citation check in the page: a flagged sentence carries a mark that Tab reaches and
whose explanation shows on focus and on hover, in the streamed answer and once reopened."""

import re

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import HUMAN_RESOURCES, TRAINING_QUESTION
from testing.browser import ask, save_screenshot

pytestmark = pytest.mark.timeout(300)
ANSWER_TIMEOUT = 30_000
WRONG_HOURS = re.compile(r"durée « trente heures » introuvable dans la source \[\d+\]")


def test_a_flagged_sentence_is_marked_and_explained_on_focus_and_hover(page, deployment):
    page.goto(f"{deployment.url}/chat/search/{deployment.categories[HUMAN_RESOURCES]}/")
    exchange = ask(page, TRAINING_QUESTION)
    answer = exchange.get_by_test_id("answer")
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)

    marks = answer.get_by_test_id("check-mark")
    explanations = answer.get_by_test_id("check-explanation")
    expect(marks).to_have_count(2)
    expect(explanations.first).to_be_hidden()
    expect(exchange.get_by_test_id("check-summary")).to_contain_text("Vérifiez les phrases")

    # From the citation of the first sentence, Tab reaches its mark, then the next one.
    answer.get_by_test_id("citation").first.focus()
    page.keyboard.press("Tab")
    expect(marks.first).to_be_focused()
    expect(marks.first).to_have_accessible_name("Phrase à vérifier")
    expect(marks.first).to_have_accessible_description(WRONG_HOURS)
    expect(explanations.first).to_be_visible()
    expect(explanations.first).to_have_text(WRONG_HOURS)
    save_screenshot(page, "citation-mark-focused", full_page=False)

    page.keyboard.press("Tab")
    expect(marks.nth(1)).to_be_focused()
    expect(explanations.first).to_be_hidden()
    expect(explanations.nth(1)).to_be_visible()
    expect(explanations.nth(1)).to_have_text("phrase sans citation")

    page.keyboard.press("Tab")
    expect(explanations.nth(1)).to_be_hidden()
    marks.first.hover()
    expect(explanations.first).to_be_visible()

    page.reload()
    page.get_by_test_id("history-item").first.click()
    # The reopened conversation is drawn once its exchanges have arrived: focus after that.
    page.wait_for_load_state("networkidle")
    reopened = page.get_by_test_id("answer").first
    expect(reopened.get_by_test_id("check-mark")).to_have_count(2)
    reopened.get_by_test_id("check-mark").nth(1).focus()
    expect(reopened.get_by_test_id("check-mark").nth(1)).to_be_focused()
    expect(reopened.get_by_test_id("check-explanation").nth(1)).to_be_visible()
