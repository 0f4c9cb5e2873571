"""Citations: one syntax, [n] or [n, m], read the same by Python, SQL and the page's script."""

import re

import pytest
from django.conf import settings

from ai.citations import CITATION, CITED_AFTER, CITED_BEFORE, cited_numbers

MARKDOWN_JS = settings.BASE_DIR / "static" / "js" / "markdown.js"


def test_an_answer_cites_each_source_once_in_the_order_it_first_cites_it():
    answer = "Deux jours [2]. Demande écrite [1; 2]. Réversible [3, 1]."
    assert cited_numbers(answer, source_count=3) == [2, 1, 3]


def test_numbers_of_no_source_are_not_citations():
    assert cited_numbers("Voir [0], [4] et [2].", source_count=3) == [2]


def test_a_link_or_a_bracketed_word_is_no_citation():
    assert cited_numbers("Voir [la circulaire](https://x.fr) et [annexe].", 3) == []


@pytest.mark.parametrize(
    ("answer", "cites_two"),
    [("[2]", True), ("[1, 2]", True), ("[2 ; 5]", True), ("[12]", False), ("[21, 3]", False)],
)
def test_the_dashboard_pattern_finds_a_number_alone_or_in_a_list(answer, cites_two):
    assert bool(re.search(CITED_BEFORE + "2" + CITED_AFTER, answer)) is cites_two


def test_the_page_renderer_reads_citations_with_the_same_pattern():
    source = MARKDOWN_JS.read_text()
    (javascript,) = re.findall(r'\["citations", /(.+?)/y\]', source)
    assert javascript == CITATION
