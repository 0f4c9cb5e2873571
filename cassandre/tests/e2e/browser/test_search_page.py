"""The search page in a real browser: an answer streams in, cites its sources, opens the
cited PDF at its page in a new tab, the passage highlighted; feedback and corrections reach
the backoffice; keyboard only works; the page fits a phone."""

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import (
    HUMAN_RESOURCES,
    LEAVE,
    LEAVE_CONTACT,
    LONG_QUESTION,
    MARRIAGE_QUESTION,
    MARRIAGE_QUOTE,
    OFF_TOPIC_QUESTION,
    SECURITY,
    TELEWORK_QUESTION,
)
from testing.browser import NARROW_PHONE, PHONE, ask, save_screenshot

pytestmark = pytest.mark.timeout(300)
ANSWER_TIMEOUT = 30_000


def search_url(deployment, category: str = HUMAN_RESOURCES) -> str:
    return f"{deployment.url}/chat/search/{deployment.categories[category]}/"


def finished_answer(exchange):
    answer = exchange.get_by_test_id("answer")
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    return answer


def test_an_answer_streams_in_then_cites_the_page_it_comes_from(page, deployment):
    page.goto(search_url(deployment))
    expect(page.get_by_test_id("welcome-message")).to_contain_text(HUMAN_RESOURCES)
    exchange = ask(page, TELEWORK_QUESTION)
    answer = exchange.get_by_test_id("answer")

    expect(answer).to_have_attribute("data-state", "streaming")
    expect(answer).to_contain_text("D'après le guide")
    words_so_far = len(answer.text_content())
    page.wait_for_function(
        "([answer, length]) => answer.dataset.state === 'streaming'"
        " && answer.textContent.length > length",
        arg=[answer.element_handle(), words_so_far],
    )
    finished_answer(exchange)
    expect(answer).to_contain_text("avant le premier jour télétravaillé")
    expect(exchange.get_by_test_id("source-card").first).to_be_visible()
    save_screenshot(page, "search-desktop", full_page=False)

    citation = answer.locator("a[data-testid=citation]").first
    target = citation.get_attribute("href")
    assert citation.text_content().strip().startswith("[")
    card = exchange.locator(target)
    expect(card).to_have_attribute("data-testid", "source-card")
    page.set_viewport_size({"width": 1280, "height": 420})
    citation.click()
    expect(card).to_be_in_viewport()
    expect(card).to_be_focused()

    with page.expect_popup() as opened:
        card.get_by_test_id("open-document").click()
    viewer_page = opened.value
    viewer = viewer_page.get_by_test_id("pdf-viewer")
    expect(viewer.get_by_test_id("pdf-page")).to_have_attribute("data-drawn", "2")
    expect(viewer.locator(".passage-highlight", has_text="télétravail").first).to_be_visible()
    expect(viewer_page.get_by_test_id("download")).to_be_visible()
    save_screenshot(viewer_page, "viewer-pdf", full_page=False)


def test_a_streaming_answer_can_be_interrupted(page, deployment):
    page.goto(search_url(deployment))
    exchange = ask(page, LONG_QUESTION)
    answer = exchange.get_by_test_id("answer")
    expect(answer).to_contain_text("Le télétravail est arrivé")
    expect(answer).to_have_attribute("data-state", "streaming")

    page.get_by_test_id("cancel-button").click()
    expect(answer).to_have_attribute("data-state", "cancelled")
    expect(page.get_by_test_id("cancel-button")).to_be_hidden()
    expect(page.get_by_test_id("ask-button")).to_be_enabled()


def test_a_thumbs_down_with_a_comment_is_thanked_and_reaches_the_backoffice(page, deployment):
    page.goto(search_url(deployment))
    exchange = ask(page, "Le télétravail demande-t-il un accord écrit ?")
    finished_answer(exchange)

    comment = "Il manque le formulaire à remplir."
    exchange.get_by_test_id("thumbs-down").click()
    exchange.get_by_test_id("feedback-comment").fill(comment)
    with page.expect_response(lambda response: comment in (response.request.post_data or "")):
        exchange.get_by_test_id("feedback-submit").click()
    expect(exchange.get_by_test_id("feedback-thanks")).to_be_visible()

    page.goto(f"{deployment.url}/admin/chat/feedback/")
    expect(page.locator("#result_list")).to_contain_text(comment)


def test_an_approved_correction_answers_the_same_question_next_time(page, deployment):
    question = "Peut-on télétravailler le vendredi ?"
    validated = "Oui, le vendredi peut être un des deux jours de télétravail de la semaine."
    page.goto(search_url(deployment))
    exchange = ask(page, question)
    finished_answer(exchange)

    exchange.get_by_test_id("propose-correction").click()
    exchange.get_by_test_id("proposal-text").fill(validated)
    exchange.get_by_test_id("proposal-submit").click()
    expect(exchange.get_by_test_id("proposal-thanks")).to_be_visible()

    page.goto(f"{deployment.url}/admin/chat/correctionproposal/")
    page.locator("#result_list tbody tr").first.locator("a").first.click()
    page.locator("input[name=_approve]").click()
    expect(page.locator(".messagelist")).to_be_visible()

    page.goto(search_url(deployment))
    again = ask(page, question)
    expect(finished_answer(again)).to_contain_text(validated)


def test_the_question_box_is_reached_with_tab_and_sent_with_enter(page, deployment):
    page.goto(search_url(deployment))
    page.evaluate("document.activeElement?.blur()")
    page.mouse.click(640, 2)  # the top of the page: Tab starts from there
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "question":
            break
    expect(page.locator("#question")).to_be_focused()

    page.keyboard.type(TELEWORK_QUESTION)
    page.keyboard.press("Enter")
    finished_answer(page.get_by_test_id("exchange").last)


def test_the_page_fits_a_phone_screen_down_to_360_pixels(new_page, deployment):
    page = new_page(PHONE)
    page.goto(search_url(deployment))
    exchange = ask(page, TELEWORK_QUESTION)
    finished_answer(exchange)
    expect(exchange.get_by_test_id("source-card").first).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    save_screenshot(page, "search-phone")
    page.set_viewport_size(NARROW_PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]


def test_a_reader_is_offered_only_the_categories_they_may_read(new_page, deployment):
    page = new_page(reader=True)
    page.goto(f"{deployment.url}/chat/search/")
    picker = page.get_by_test_id("category-picker")
    expect(picker).to_contain_text(HUMAN_RESOURCES)
    expect(picker).not_to_contain_text(SECURITY)

    response = page.goto(search_url(deployment, SECURITY))
    assert response.status == 404
    refused = page.goto(f"{deployment.url}/backoffice/")
    assert refused.status == 403
    expect(page.get_by_role("heading", name="Accès refusé")).to_be_visible()
    expect(page.locator("#id_password")).to_have_count(0)


def test_an_off_topic_question_finds_nothing_and_says_whom_to_ask(page, deployment):
    page.goto(search_url(deployment, LEAVE))
    answer = finished_answer(ask(page, OFF_TOPIC_QUESTION))

    expect(answer).to_contain_text("aucun passage qui réponde à cette question")
    expect(answer).to_contain_text(f"contactez : {LEAVE_CONTACT}")


def test_an_answer_without_a_model_quotes_only_the_sentence_that_answers(page, deployment):
    page.goto(search_url(deployment, LEAVE))
    exchange = ask(page, MARRIAGE_QUESTION)
    answer = finished_answer(exchange)

    expect(answer).to_contain_text("Réponse extractive")
    expect(answer).to_contain_text(MARRIAGE_QUOTE)
    expect(answer).not_to_contain_text("naissance")
    expect(answer).not_to_contain_text("télétravail")
    save_screenshot(page, "search-extractive-focused")
