"""One scratch Cassandre for the whole browser suite, one chromium per module, and a
signed-in page per test (see corpus.py for what the deployment holds)."""

import pytest

from cassandre.tests.e2e.browser.corpus import CATEGORIES, model_answer, write_seed
from testing.browser import (
    DESKTOP,
    READER,
    READER_PASSWORD,
    launch_chromium,
    log_in,
    print_page_errors,
    record_policy_violations,
    require_browser_services,
    running_deployment,
)


@pytest.fixture(scope="session")
def deployment(tmp_path_factory):
    require_browser_services()
    folder = tmp_path_factory.mktemp("browser")
    with running_deployment(folder, categories=CATEGORIES, seed=write_seed(folder)) as running:
        running.model.chat_answer = model_answer
        yield running


@pytest.fixture(scope="module")
def browser(deployment):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def signed_in_state(browser, deployment, tmp_path_factory) -> str:
    """The administrator's cookies, signed in once per module through the login form."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    log_in(context.new_page(), deployment.url)
    path = tmp_path_factory.mktemp("state") / "admin.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def dialogs() -> list[str]:
    """The messages of the dialogs (alert, confirm, prompt) the test's pages opened."""
    return []


@pytest.fixture
def policy_violations() -> list[str]:
    """What the Content-Security-Policy blocked on the test's pages."""
    return []


@pytest.fixture
def new_page(browser, signed_in_state, deployment, dialogs, policy_violations):
    """Opens pages signed in as the administrator, or as a reader without staff rights
    (desktop size unless told), smooth scrolling off; a dialog a page opens, or anything its
    Content-Security-Policy blocks (an inline script a template gained), fails the test."""
    contexts = []

    def open_page(viewport: dict[str, int] = DESKTOP, *, reader: bool = False):
        context = browser.new_context(
            viewport=viewport,
            locale="fr-FR",
            reduced_motion="reduce",
            storage_state=None if reader else signed_in_state,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        print_page_errors(page)
        record_policy_violations(page, policy_violations)
        if reader:
            log_in(page, deployment.url, username=READER, password=READER_PASSWORD)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not dialogs, f"A page opened dialogs: {dialogs}"
    assert not policy_violations, f"The Content-Security-Policy blocked: {policy_violations}"


@pytest.fixture
def page(new_page):
    return new_page()
