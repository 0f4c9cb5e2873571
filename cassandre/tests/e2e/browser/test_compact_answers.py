"""The search page while people live in it: sources as one-line chips (the cited first, the
rest folded), the question box pinned with « Interrompre » at hand, « Réessayer » after an
error or a cancel, and a character counter that refuses, never cuts, a question too long."""

import re

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import (
    BUILDING,
    BUILDING_QUESTION,
    BUILDING_TOPICS,
    HUMAN_RESOURCES,
    LONG_QUESTION,
    TELEWORK_QUESTION,
)
from testing.browser import DESKTOP, PHONE, ask, save_screenshot
from testing.openai_server import error_reply

pytestmark = pytest.mark.timeout(300)
ANSWER_TIMEOUT = 30_000
# Five full source cards made a one-line answer about 2,300 px tall; chips take a line each.
MOST_PIXELS_PER_SOURCE = 60
MODEL_ERROR = "Le modèle de langue a répondu par une erreur."


def search_url(deployment, category: str = HUMAN_RESOURCES) -> str:
    return f"{deployment.url}/chat/search/{deployment.categories[category]}/"


def finished(exchange, state: str = "done"):
    answer = exchange.get_by_test_id("answer")
    expect(answer).to_have_attribute("data-state", state, timeout=ANSWER_TIMEOUT)
    return answer


def height(locator) -> float:
    return locator.evaluate("element => element.getBoundingClientRect().height")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_cited_sources_are_one_line_chips_and_the_others_are_folded(new_page, deployment, viewport):
    page = new_page(viewport) if viewport else new_page()
    page.goto(search_url(deployment, BUILDING))
    exchange = ask(page, BUILDING_QUESTION)
    finished(exchange)

    cited = exchange.get_by_test_id("cited-sources").get_by_test_id("source-card")
    others = exchange.get_by_test_id("other-sources")
    expect(cited).to_have_count(1)
    expect(cited.first).to_be_visible()
    expect(cited.first).to_contain_text(re.compile("|".join(BUILDING_TOPICS)))
    expect(others).to_be_visible()
    expect(others).not_to_have_attribute("open", "")
    folded = others.get_by_test_id("source-card")
    assert folded.count() >= 2
    expect(folded.first).to_be_hidden()

    sources = exchange.locator("section").last
    compact = height(sources)
    name = "desktop" if viewport is None else "phone"
    save_screenshot(page, f"search-compact-sources-{name}", full_page=False)
    page.evaluate("document.querySelectorAll('article details').forEach((d) => { d.open = true; })")
    unfolded = height(sources)
    print(f"Sources ({name}): {compact:.0f} px as chips, {unfolded:.0f} px unfolded")
    assert compact <= MOST_PIXELS_PER_SOURCE * (1 + folded.count())
    assert compact < unfolded / 2

    page.evaluate(
        "document.querySelectorAll('article details').forEach((d) => { d.open = false; })"
    )
    cited.first.locator("summary").click()
    expect(cited.first.get_by_test_id("open-document")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_streaming_answer_keeps_the_question_box_and_interrompre_on_screen(
    new_page, deployment, viewport
):
    page = new_page(viewport)
    page.goto(search_url(deployment))
    exchange = ask(page, LONG_QUESTION)
    answer = exchange.get_by_test_id("answer")
    expect(exchange.get_by_test_id("cited-sources").get_by_test_id("source-card")).to_have_count(
        1, timeout=ANSWER_TIMEOUT
    )
    if viewport is PHONE:
        page.wait_for_function(
            "() => document.documentElement.scrollHeight > 1.5 * window.innerHeight",
            timeout=ANSWER_TIMEOUT,
        )
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 3)")

    expect(answer).to_have_attribute("data-state", "streaming")
    expect(page.get_by_test_id("cancel-button")).to_be_in_viewport(ratio=1)
    box = page.get_by_test_id("ask-form").bounding_box()
    assert box["y"] + box["height"] <= viewport["height"] + 1
    name = "desktop" if viewport is DESKTOP else "phone"
    save_screenshot(page, f"search-streaming-{name}", full_page=False)
    page.get_by_test_id("cancel-button").click()
    expect(answer).to_have_attribute("data-state", "cancelled")


def test_reessayer_after_a_cancel_asks_the_same_question_again(page, deployment):
    page.goto(search_url(deployment))
    first = ask(page, LONG_QUESTION)
    expect(first.get_by_test_id("answer")).to_contain_text("Le télétravail est arrivé")
    page.get_by_test_id("cancel-button").click()
    finished(first, "cancelled")

    first.get_by_test_id("retry").click()
    again = page.get_by_test_id("exchange").nth(1)
    expect(again).to_contain_text(LONG_QUESTION)
    expect(again.get_by_test_id("answer")).to_have_attribute("data-state", "streaming")
    expect(first.get_by_test_id("retry")).to_be_hidden()
    page.get_by_test_id("cancel-button").click()
    finished(again, "cancelled")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_reessayer_after_an_error_gets_the_answer(new_page, deployment, viewport):
    page = new_page(viewport) if viewport else new_page()
    page.goto(search_url(deployment))
    # A 400, which the model client does not retry.
    deployment.model.failures.append(error_reply(400, MODEL_ERROR))
    failed = ask(page, TELEWORK_QUESTION)
    finished(failed, "error")
    retry = failed.get_by_test_id("retry")
    expect(retry).to_be_visible()
    name = "desktop" if viewport is None else "phone"
    save_screenshot(page, f"search-error-retry-{name}", full_page=False)

    retry.click()
    again = page.get_by_test_id("exchange").nth(1)
    expect(again).to_contain_text(TELEWORK_QUESTION)
    expect(finished(again)).to_contain_text("D'après le guide")


def test_a_question_past_the_limit_is_counted_and_refused_never_cut(page, deployment):
    page.goto(search_url(deployment))
    counter = page.get_by_test_id("question-counter")
    expect(counter).to_have_text(re.compile(r"^0 / 2\s000 caractères$"))
    long_question = "Combien de jours de congés ? " * 180  # 5,219 characters once trimmed

    page.locator("#question").fill(long_question)
    expect(counter).to_have_attribute("data-state", "over")
    refusal = page.get_by_test_id("question-refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(
        re.compile(r"trop longue de 3\s219 caractères \(2\s000 au plus\)")
    )
    expect(page.get_by_test_id("ask-button")).to_have_attribute("aria-disabled", "true")
    expect(counter).to_have_class(re.compile(r"\btext-red-700\b"))

    page.locator("#question").press("Enter")
    expect(page.get_by_test_id("exchange")).to_have_count(0)
    assert len(page.locator("#question").input_value()) == len(long_question)

    page.locator("#question").fill(TELEWORK_QUESTION)
    expect(counter).to_have_attribute("data-state", "ok")
    expect(refusal).to_be_hidden()
    finished(ask(page, TELEWORK_QUESTION))
