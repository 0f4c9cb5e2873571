"""The dashboard's charts on a phone: their labels keep the page's small text size instead
of shrinking with the drawing, and do not run into each other."""

from itertools import pairwise

import pytest
from playwright.sync_api import expect

from cassandre.tests.e2e.browser.corpus import HUMAN_RESOURCES
from testing.browser import DESKTOP, PHONE, ask, save_screenshot

pytestmark = pytest.mark.timeout(300)
ANSWER_TIMEOUT = 30_000
SMALLEST_READABLE = 11
# Each label's chart, rendered font size and box, as the page draws them.
LABELS = """
() => [...document.querySelectorAll("[data-testid=chart-label]")].map((label) => {
  const box = label.getBoundingClientRect();
  return {
    chart: label.closest("figure").querySelector("svg[data-testid]").dataset.testid,
    fontSize: parseFloat(getComputedStyle(label).fontSize),
    left: box.left, right: box.right, height: box.height,
    axis: label.classList.contains("top-full") ? "x" : "y",
  };
})
"""


def chart_labels(page) -> list[dict]:
    return page.evaluate(LABELS)


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_dashboard_s_chart_labels_are_readable(new_page, deployment, viewport, name):
    page = new_page(viewport)
    page.goto(f"{deployment.url}/chat/search/{deployment.categories[HUMAN_RESOURCES]}/")
    exchange = ask(page, "Combien d'heures de formation par an ?")
    expect(exchange.get_by_test_id("answer")).to_have_attribute(
        "data-state", "done", timeout=ANSWER_TIMEOUT
    )

    page.goto(f"{deployment.url}/backoffice/")
    expect(page.get_by_test_id("chart-questions")).to_be_visible()
    labels = chart_labels(page)

    assert {label["chart"] for label in labels} == {
        "chart-questions",
        "chart-unanswered",
        "chart-indexing",
        "chart-chunks",
    }
    for label in labels:
        assert label["fontSize"] >= SMALLEST_READABLE, label
        assert label["height"] >= SMALLEST_READABLE, label
    for chart in {label["chart"] for label in labels}:
        dates = sorted(
            (label for label in labels if label["chart"] == chart and label["axis"] == "x"),
            key=lambda label: label["left"],
        )
        for before, after in pairwise(dates):
            assert before["right"] <= after["left"], f"{chart}: dates overlap"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    save_screenshot(page, f"dashboard-{name}")
