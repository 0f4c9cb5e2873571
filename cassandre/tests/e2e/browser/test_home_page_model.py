"""The home page (« Toutes les catégories ») on a site without a language model of its own:
the question is answered by the model its categories use, not by quotes saying that no
model is configured."""

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import TELEWORK_QUESTION
from testing.browser import CATEGORY_MODEL, ask, save_screenshot

pytestmark = pytest.mark.timeout(300)
ANSWER_TIMEOUT = 30_000
COMPLETIONS = "/v1/chat/completions"


def test_asked_across_every_category_the_categories_model_answers(new_page, deployment):
    page = new_page(reader=True)
    page.goto(f"{deployment.url}/chat/search/")
    asked_before = len(deployment.model.requests_to(COMPLETIONS))

    exchange = ask(page, TELEWORK_QUESTION)

    answer = exchange.get_by_test_id("answer")
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT)
    expect(answer).to_contain_text("le télétravail est autorisé deux jours par semaine")
    expect(answer).not_to_contain_text("Réponse extractive")
    asked = deployment.model.requests_to(COMPLETIONS)[asked_before:]
    assert asked and {request.body["model"] for request in asked} == {CATEGORY_MODEL}
    save_screenshot(page, "home-page-categories-model")
