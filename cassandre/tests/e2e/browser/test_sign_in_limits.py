"""Sign-in limits in a real browser: a user's wrong passwords are warned one attempt before
the lock, the lock gives its wait in minutes and holds for that account, while another user
signs in. Every test signs in from 127.0.0.1: the guesses stay within the address's limit
(SIGN_IN_ATTEMPTS), and the counts are forgotten at the end."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from testing.browser import (
    DESKTOP,
    PHONE,
    SIGN_IN_ATTEMPTS,
    create_user,
    forget_sign_in_failures,
    log_in,
    save_screenshot,
)

pytestmark = pytest.mark.timeout(300)
PASSWORD = "essai-password-not-secret"  # a throwaway deployment, dropped at the end
WARNING = re.compile(r"Attention : encore une tentative avant un blocage de \d+ minutes?\.")
LOCKED = re.compile(r"Trop de tentatives de connexion\. Réessayez dans \d+ minutes?\.")


def try_password(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-form] [type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def users(page, deployment):
    """A user who guesses and one who signs in, both new: the deployment is shared."""
    suffix = uuid.uuid4().hex[:8]
    names = (f"devineur-{suffix}", f"voisine-{suffix}")
    for name in names:
        create_user(page, deployment.url, name, PASSWORD)
    yield names
    forget_sign_in_failures()


def test_wrong_passwords_are_warned_then_lock_that_account_only(browser, deployment, users):
    guesser, neighbour = users
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    try:
        page = context.new_page()
        for _ in range(SIGN_IN_ATTEMPTS - 2):
            try_password(page, deployment.url, guesser, "mauvais")
            expect(page.get_by_test_id("login-error")).to_contain_text("mot de passe valides")
            expect(page.get_by_test_id("login-error")).not_to_contain_text("Attention")

        try_password(page, deployment.url, guesser, "mauvais")
        expect(page.get_by_text(WARNING)).to_be_visible()
        save_screenshot(page, "sign-in-last-attempt-desktop")

        try_password(page, deployment.url, guesser, "mauvais")
        expect(page.get_by_text(LOCKED)).to_be_visible()

        # Another address starts with no failure counted; the guesser's account stays locked.
        forget_sign_in_failures("ip:127.0.0.1")
        try_password(page, deployment.url, guesser, PASSWORD)
        expect(page.get_by_text(LOCKED)).to_be_visible()
        assert page.url.endswith("/accounts/login/")
        save_screenshot(page, "sign-in-locked-desktop")
        log_in(page, deployment.url, username=neighbour, password=PASSWORD)
    finally:
        context.close()


def test_the_lock_s_wait_reads_in_minutes_on_a_phone(browser, deployment, users):
    guesser, _ = users
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    try:
        page = context.new_page()
        for _ in range(SIGN_IN_ATTEMPTS):
            try_password(page, deployment.url, guesser, "mauvais")
        locked = page.get_by_text(LOCKED)
        expect(locked).to_be_visible()
        assert locked.bounding_box()["x"] >= 0
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        save_screenshot(page, "sign-in-locked-phone")
    finally:
        context.close()
