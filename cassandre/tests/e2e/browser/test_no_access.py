"""A signed-in user who reads no category is told so on the search page, and whom to ask
(the site's ACCESS_CONTACT), instead of an empty list of categories and « aucun passage »."""

import uuid

import pytest
from playwright.sync_api import expect

from testing.browser import (
    ACCESS_CONTACT,
    DESKTOP,
    PHONE,
    categories_closed,
    create_user,
    log_in,
    save_screenshot,
)

pytestmark = pytest.mark.timeout(300)
PASSWORD = "nouveau-password-not-secret"  # a throwaway deployment, dropped at the end


def test_a_user_who_reads_no_category_is_told_so_and_whom_to_ask(page, browser, deployment):
    username = f"nouveau-{uuid.uuid4().hex[:8]}"
    create_user(page, deployment.url, username, PASSWORD)

    with categories_closed(deployment):
        for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
            context = browser.new_context(viewport=viewport, locale="fr-FR")
            try:
                search = context.new_page()
                log_in(search, deployment.url, username=username, password=PASSWORD)
                told = search.get_by_test_id("no-access")
                expect(told).to_contain_text("Vous n'avez accès à aucune catégorie pour l'instant.")
                expect(told).to_contain_text(f"Pour demander l'accès : {ACCESS_CONTACT}.")
                expect(search.get_by_test_id("ask-form")).to_have_count(0)
                expect(search.get_by_test_id("category-picker")).to_have_count(0)
                save_screenshot(search, f"no-access-{name}")
            finally:
                context.close()
