"""One scratch Cassandre for the whole browser suite, one chromium per module, and a
signed-in page per test.

The corpus is seeded before the server starts: a three-page PDF whose page 2 answers the
telework question, and a Markdown file full of markup that must stay text.
"""

import re

import pytest

from ai.testing.openai_server import RecordedRequest
from common.testing.browser import (
    DESKTOP,
    launch_chromium,
    log_in,
    require_browser_services,
    running_deployment,
)
from documents.tests.builders import pdf

HUMAN_RESOURCES = "Ressources humaines"
SECURITY = "Sécurité informatique"
UPLOADS = "Dépôts"

GUIDE_PAGES = (
    "Guide de l'agent.\n\nCe guide rassemble les règles de la vie au bureau : horaires, "
    "badges d'accès et stationnement des véhicules de service.",
    "Travail à distance.\n\nLe télétravail est autorisé deux jours par semaine pour les "
    "agents à temps plein, après accord écrit du chef de service.",
    "Formation continue.\n\nChaque agent dispose de vingt-quatre heures de formation par an, "
    "à demander dans l'application de gestion des formations.",
)
TELEWORK_QUESTION = "Combien de jours de télétravail par semaine ?"
HOSTILE_MARKUP = '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1">'
HOSTILE_NOTE = (
    "# Consignes de sécurité informatique\n\n"
    "Verrouillez votre poste en partant et ne collez jamais ce code dans une page : "
    f"{HOSTILE_MARKUP}\n\n"
    "Signalez tout courriel suspect au service informatique.\n"
)
SECURITY_QUESTION = "Quelles sont les consignes de sécurité informatique ?"
REWRITE_REQUEST = "Réécris la dernière question"


def answer_citing_page_two(request: RecordedRequest) -> str:
    """The fake model's answer: it cites the passage from page 2 of the guide, by its number.

    Asked to rewrite a follow-up question, it gives the question back unchanged.
    """
    messages = request.body["messages"]
    prompt = "\n".join(str(message.get("content", "")) for message in messages)
    if REWRITE_REQUEST in prompt:
        return str(messages[-1]["content"])
    match = re.search(r"\[(\d+)\] [^\n]*, page 2\n", prompt)
    number = match.group(1) if match else "1"
    return (
        "D'après le guide de l'agent, le télétravail est autorisé deux jours par semaine "
        f"pour les agents à temps plein [{number}]. La demande se fait par écrit auprès du "
        "chef de service, qui doit donner son accord avant le premier jour télétravaillé."
    )


@pytest.fixture(scope="session")
def deployment(tmp_path_factory):
    require_browser_services()
    folder = tmp_path_factory.mktemp("browser")
    seed = {HUMAN_RESOURCES: folder / "seed-rh", SECURITY: folder / "seed-security"}
    for files in seed.values():
        files.mkdir()
    (seed[HUMAN_RESOURCES] / "guide-agent.pdf").write_bytes(pdf(*GUIDE_PAGES))
    (seed[SECURITY] / "consignes.md").write_text(HOSTILE_NOTE, encoding="utf-8")
    with running_deployment(
        folder, categories=[HUMAN_RESOURCES, SECURITY, UPLOADS], seed=seed
    ) as running:
        running.model.chat_answer = answer_citing_page_two
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
def signed_in_state(browser, deployment, tmp_path_factory):
    """The administrator's cookies, signed in once per module through the login form."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    log_in(context.new_page(), deployment.url)
    path = tmp_path_factory.mktemp("state") / "admin.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def page(browser, signed_in_state, deployment):
    """A desktop-sized page signed in as the administrator; fails its test on any dialog."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", storage_state=signed_in_state)
    context.set_default_timeout(15_000)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert not dialogs, f"The page opened dialogs: {dialogs}"
