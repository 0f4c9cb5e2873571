"""Figures: two spellings of one amount, date, duration or number compare equal."""

import pytest

from ai.figures import extract_figures, figure_found, passage_figures


def values(text: str) -> list[tuple[str, str, str]]:
    return [(figure.kind, figure.value, figure.unit) for figure in extract_figures(text)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("5 jours", "cinq jours"),
        ("2,88 €", "2.88 euros"),
        ("1 500 €", "1.500 euros"),
        ("1\u202f500 EUR", "mille cinq cents euros"),
        ("le 1er janvier 2025", "le 01/01/2025"),
        ("1er janvier 2025", "2025-01-01"),
        ("quatre-vingt-dix jours", "90 jours"),
        ("vingt et un ans", "21 ans"),
        ("12 %", "douze pour cent"),
        ("35h", "trente-cinq heures"),
        ("1,5 million d'euros", "1 500 000 €"),
        ("2,50 €", "2,5 euros"),
        ("une semaine", "1 semaine"),
    ],
)
def test_two_spellings_of_one_figure_are_one_figure(first, second):
    assert values(first) == values(second) != []


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("Le repas coûte 4,50 euros.", [("amount", "4.5", "euro")]),
        ("Deux jours par semaine.", [("duration", "2", "jour")]),
        ("Depuis janvier 2025.", [("date", "2025-01", "")]),
        ("Le 15 mars.", [("date", "-03-15", "")]),
        ("En 2024.", [("number", "2024", "")]),
        ("Article L. 1234-5.", [("number", "1234-5", "")]),
        ("Un congé est accordé à une personne.", []),
        (
            "De 9 h 30 à 11 h.",
            [("duration", "9", "heure"), ("number", "30", ""), ("duration", "11", "heure")],
        ),
    ],
)
def test_the_figures_of_a_sentence_with_their_kind_and_unit(text, figures):
    assert values(text) == figures


def test_a_figure_is_given_as_written():
    (figure,) = extract_figures("Le 1er Décembre 2025.")
    assert figure.text == "1er Décembre 2025"


PASSAGE = "De 5 à 10 jours de congé, au 1er janvier 2025, pour 2,88 € par jour."


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("cinq jours", True),  # the range's first figure: its unit is the second's
        ("dix jours", True),
        ("10 mois", False),
        ("2.88 euros", True),
        ("3 €", False),
        ("janvier 2025", True),
        ("en 2025", True),
        ("le 1er janvier", True),
        ("le 2 janvier 2025", False),
        ("10", True),
    ],
)
def test_a_sentence_figure_is_found_in_a_passage_however_either_writes_it(sentence, found):
    stated = passage_figures(PASSAGE)
    assert [figure_found(figure, stated) for figure in extract_figures(sentence)] == [found]


def test_a_value_stated_with_another_unit_is_not_the_figure():
    stated = passage_figures("Un préavis de 5 mois.")
    (figure,) = extract_figures("5 jours")
    assert not figure_found(figure, stated)
