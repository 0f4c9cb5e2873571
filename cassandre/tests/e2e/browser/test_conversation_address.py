"""A conversation at its own address: the page takes it when the conversation starts, a reload
or Back brings the conversation back (with « Réessayer » when its last answer failed or was
interrupted), sources open in a new tab, and only its owner opens it."""

import re

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import HUMAN_RESOURCES, LONG_QUESTION, TELEWORK_QUESTION
from testing.browser import PHONE, ask, save_screenshot
from testing.openai_server import error_reply

pytestmark = pytest.mark.timeout(300)
ANSWER_TIMEOUT = 30_000
CONVERSATION_ADDRESS = re.compile(r"/chat/c/\d+/(#.*)?$")
MODEL_ERROR = "Le modèle de langue a répondu par une erreur."


def asked_in_a_new_conversation(page, deployment):
    page.goto(f"{deployment.url}/chat/search/{deployment.categories[HUMAN_RESOURCES]}/")
    exchange = ask(page, TELEWORK_QUESTION)
    answer = exchange.get_by_test_id("answer")
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    expect(page).to_have_url(CONVERSATION_ADDRESS)
    return exchange


def expect_the_conversation_shown(page):
    exchange = page.get_by_test_id("exchange").first
    expect(exchange).to_contain_text(TELEWORK_QUESTION)
    expect(exchange.get_by_test_id("answer")).to_contain_text("avant le premier jour télétravaillé")


def test_a_conversation_takes_its_own_address_and_survives_a_reload(page, deployment):
    asked_in_a_new_conversation(page, deployment)
    address = page.url.split("#")[0]

    page.reload()

    assert page.url.split("#")[0] == address
    expect_the_conversation_shown(page)
    expect(page.locator("#conversation-title")).to_be_visible()


def test_a_source_opens_in_a_new_tab_and_back_returns_to_the_conversation(page, deployment):
    exchange = asked_in_a_new_conversation(page, deployment)
    address = page.url
    chip = exchange.get_by_test_id("source-card").first
    chip.locator("summary").click()
    document_link = chip.get_by_test_id("open-document")

    with page.expect_popup() as opened:
        document_link.click()
    expect(opened.value).to_have_url(re.compile(r"/documents/\d+/"))
    assert page.url == address

    page.goto(deployment.url + document_link.get_attribute("href"))
    page.go_back()
    expect(page).to_have_url(CONVERSATION_ADDRESS)
    expect_the_conversation_shown(page)


def test_back_after_a_new_conversation_returns_to_the_previous_one(page, deployment):
    asked_in_a_new_conversation(page, deployment)
    address = page.url

    page.get_by_test_id("new-conversation").click()
    expect(page.get_by_test_id("exchange")).to_have_count(0)
    assert not CONVERSATION_ADDRESS.search(page.url)

    page.go_back()
    assert page.url == address
    expect_the_conversation_shown(page)


def test_another_users_conversation_is_not_found(page, new_page, deployment):
    asked_in_a_new_conversation(page, deployment)
    reader = new_page(reader=True)
    response = reader.goto(page.url.split("#")[0])
    assert response.status == 404


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_reopened_conversation_whose_last_answer_failed_offers_reessayer(
    new_page, deployment, viewport
):
    page = new_page(viewport) if viewport else new_page()
    asked_in_a_new_conversation(page, deployment)
    # A follow-up: its rewriting and then its answer get a 400, which the client never retries.
    deployment.model.failures.extend([error_reply(400, MODEL_ERROR)] * 2)
    failed = ask(page, TELEWORK_QUESTION)
    expect(failed.get_by_test_id("answer")).to_have_attribute(
        "data-state", "error", timeout=ANSWER_TIMEOUT
    )

    page.reload()

    exchanges = page.get_by_test_id("exchange")
    expect(exchanges).to_have_count(2)
    first, last = exchanges.all()
    expect(last.get_by_test_id("answer")).to_have_attribute("data-state", "error")
    expect(last.get_by_role("alert")).to_contain_text("Cette question n'a pas reçu de réponse.")
    expect(last.get_by_test_id("retry")).to_be_visible()
    expect(first.get_by_test_id("retry")).to_have_count(0)
    name = "desktop" if viewport is None else "phone"
    save_screenshot(page, f"conversation-reopened-retry-{name}", full_page=False)

    last.get_by_test_id("retry").click()
    again = page.get_by_test_id("exchange").nth(2)
    expect(again).to_contain_text(TELEWORK_QUESTION)
    expect(again.get_by_test_id("answer")).to_have_attribute(
        "data-state", "done", timeout=ANSWER_TIMEOUT
    )
    expect(last.get_by_test_id("retry")).to_be_hidden()


def test_a_reopened_conversation_whose_last_answer_was_interrupted_offers_reessayer(
    page, deployment
):
    page.goto(f"{deployment.url}/chat/search/{deployment.categories[HUMAN_RESOURCES]}/")
    exchange = ask(page, LONG_QUESTION)
    expect(exchange.get_by_test_id("answer")).to_contain_text("Le télétravail est arrivé")
    page.get_by_test_id("cancel-button").click()
    expect(exchange.get_by_test_id("answer")).to_have_attribute("data-state", "cancelled")
    expect(page).to_have_url(CONVERSATION_ADDRESS)

    page.reload()

    reopened = page.get_by_test_id("exchange").last
    expect(reopened).to_contain_text(LONG_QUESTION)
    expect(reopened.get_by_test_id("answer")).to_have_attribute("data-state", "cancelled")
    reopened.get_by_test_id("retry").click()
    again = page.get_by_test_id("exchange").nth(1)
    expect(again.get_by_test_id("answer")).to_have_attribute("data-state", "streaming")
    page.get_by_test_id("cancel-button").click()
    expect(again.get_by_test_id("answer")).to_have_attribute("data-state", "cancelled")
