"""The header on the narrowest phone: one row, everything it links reachable through its menu."""

import pytest
from playwright.sync_api import expect

from testing.browser import NARROW_PHONE, save_screenshot

pytestmark = pytest.mark.timeout(300)


def test_the_header_fits_one_row_on_a_narrow_phone(new_page, deployment):
    page = new_page(NARROW_PHONE)
    page.goto(f"{deployment.url}/")
    header = page.locator("header").bounding_box()
    brand = page.get_by_role("link", name="Cassandre").bounding_box()
    padding = page.evaluate(
        "(() => { const style = getComputedStyle(document.querySelector('header nav'));"
        " return parseFloat(style.paddingTop) + parseFloat(style.paddingBottom); })()"
    )
    # One row: the header's content stands less than a line and a half high.
    assert header["height"] - padding < 1.5 * brand["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW_PHONE["width"]
    save_screenshot(page, "header-phone", full_page=False)


def test_every_header_item_is_reachable_through_the_menu_on_a_narrow_phone(new_page, deployment):
    page = new_page(NARROW_PHONE)
    page.goto(f"{deployment.url}/")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    search = navigation.get_by_role("link", name="Rechercher")
    expect(search).to_be_hidden()

    menu = navigation.get_by_role("button", name="Menu")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(search).to_be_visible()
    expect(navigation.get_by_role("link", name="Backoffice")).to_be_visible()
    expect(navigation.get_by_label("Langue")).to_be_visible()
    navigation.get_by_test_id("user-menu").locator("summary").click()
    expect(navigation.get_by_role("button", name="Se déconnecter")).to_be_visible()
    save_screenshot(page, "header-phone-menu-open", full_page=False)

    menu.click()
    expect(search).to_be_hidden()


def test_the_header_shows_its_items_without_a_menu_on_a_desktop(page, deployment):
    page.goto(f"{deployment.url}/")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    expect(navigation.get_by_role("button", name="Menu")).to_be_hidden()
    expect(navigation.get_by_role("link", name="Rechercher")).to_be_visible()
