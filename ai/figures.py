"""The figures a French (or English) text states: amounts, dates, durations, percentages,
numbers, each normalised so that two spellings of one figure compare equal.

"5 jours" = "cinq jours", "2,88 €" = "2.88 euros", "1 500 €" = "1.500 euros",
"1er janvier 2025" = "01/01/2025". A figure is its kind, its value (a decimal written
plainly, or an ISO-like date) and its unit; `figure_found` says whether a passage states it.
"""

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_UNITS = {
    "euro": "euro",
    "euros": "euro",
    "eur": "euro",
    "€": "euro",
    "%": "%",
    "pour cent": "%",
    "pourcent": "%",
    "jour": "jour",
    "jours": "jour",
    "journee": "jour",
    "journees": "jour",
    "semaine": "semaine",
    "semaines": "semaine",
    "mois": "mois",
    "trimestre": "trimestre",
    "trimestres": "trimestre",
    "an": "an",
    "ans": "an",
    "annee": "an",
    "annees": "an",
    "heure": "heure",
    "heures": "heure",
    "h": "heure",
    "minute": "minute",
    "minutes": "minute",
    "min": "minute",
}
KIND_OF_UNIT = {
    "euro": "amount",
    "%": "percent",
    **{unit: "duration" for unit in ("jour", "semaine", "mois", "trimestre", "an", "heure")},
    "minute": "duration",
}
_NUMBER_WORDS = {
    "zero": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "vingts": 20,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
}
_MULTIPLIERS = {"cent": 100, "cents": 100, "mille": 1000, "million": 10**6, "millions": 10**6}
_MULTIPLIERS |= {"milliard": 10**9, "milliards": 10**9}

_MONTH = "|".join(MONTHS)
_DATES = [
    # 1er janvier 2025, 15 mars, premier mai
    re.compile(rf"\b(1er|premier|\d{{1,2}})\s+({_MONTH})(?:\s+(\d{{4}}))?\b"),
    # janvier 2025
    re.compile(rf"\b()({_MONTH})\s+(\d{{4}})\b"),
]
_NUMERIC_DATES = [
    re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"),  # 01/01/2025, 1.1.2025
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),  # 2025-01-01
]
_WORD = "|".join(sorted([*_NUMBER_WORDS, *_MULTIPLIERS], key=len, reverse=True))
_UNIT = "|".join(re.escape(unit) for unit in sorted(_UNITS, key=len, reverse=True))
# A number: digits grouped by thousands (spaces, or dots before three digits), with a decimal
# part after a comma or a dot; or a legal reference's number ("1234-5"); or number words.
_DIGITS = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?|\d{1,3}(?:\.\d{3})+(?!\d)|\d+(?:[.,]\d+)?"
_FIGURE = re.compile(
    rf"(?<![\w.,])(?P<reference>\d+(?:-\d+)+)\b"
    rf"|(?<![\w.,])(?P<digits>{_DIGITS})(?:er|e|eme)?(?=\W|$|h\b|min\b)"
    rf"|\b(?P<words>(?:{_WORD})(?:(?:[\s-]+|\s+et\s+)(?:{_WORD}))*)\b"
)
_AFTER = re.compile(
    rf"\s*(?:(?P<multiplier>millions?|milliards?)\s*)?(?:d'\s*)?(?P<unit>{_UNIT})(?![\w])"
)


@dataclass(frozen=True)
class Figure:
    kind: str
    """"amount", "date", "duration", "percent" or "number"."""
    value: str
    unit: str
    text: str
    """As written."""


def fold(text: str) -> str:
    """Lower case, without accents, one character for one: spans keep their offsets."""
    return "".join(
        unicodedata.normalize("NFD", character)[0] for character in text.lower()
    ).replace("\u2019", "'")


def extract_figures(text: str) -> list[Figure]:
    """The figures `text` states, in order of appearance."""
    folded = fold(text)
    written = text if len(text) == len(folded) else folded
    found: list[tuple[int, Figure]] = []
    taken = [False] * len(folded)

    def take(start: int, end: int, figure: Figure) -> None:
        found.append((start, replace(figure, text=written[start:end].strip())))
        taken[start:end] = [True] * (end - start)

    for pattern in _DATES:
        for match in pattern.finditer(folded):
            if any(taken[match.start() : match.end()]):
                continue
            day, month, year = match.groups()
            day_number = 1 if day in ("1er", "premier") else int(day) if day else None
            take(match.start(), match.end(), _date(year, MONTHS[month], day_number, match[0]))
    for index, pattern in enumerate(_NUMERIC_DATES):
        for match in pattern.finditer(folded):
            if any(taken[match.start() : match.end()]):
                continue
            first, second, third = match.groups()
            day, month, year = (first, second, third) if index == 0 else (third, second, first)
            if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
                take(match.start(), match.end(), _date(year, int(month), int(day), match[0]))
    for match in _FIGURE.finditer(folded):
        if any(taken[match.start() : match.end()]):
            continue
        figure = _figure(folded, match)
        if figure is not None:
            end = match.end() + len(_after(folded, match.end()) or "")
            take(match.start(), end, figure)
    return [figure for _, figure in sorted(found, key=lambda pair: pair[0])]


def _date(year: str | None, month: int, day: int | None, text: str) -> Figure:
    parts = [year or "", f"{month:02d}"] + ([f"{day:02d}"] if day else [])
    return Figure(kind="date", value="-".join(parts), unit="", text=text)


def _after(folded: str, end: int) -> str | None:
    after = _AFTER.match(folded, end)
    return after[0] if after else None


def _figure(folded: str, match: re.Match) -> Figure | None:
    if match["reference"]:
        return Figure(kind="number", value=match["reference"], unit="", text=match[0])
    value = _digits_value(match["digits"]) if match["digits"] else _words_value(match["words"])
    if value is None:
        return None
    after = _AFTER.match(folded, match.end())
    unit = _UNITS[after["unit"]] if after else ""
    if after and after["multiplier"]:
        value *= _MULTIPLIERS[after["multiplier"]]
    if match["words"] and match["words"] in ("un", "une") and not unit:
        return None  # an article, not a figure: "un congé"
    text = match[0] + (after[0] if after else "")
    return Figure(kind=KIND_OF_UNIT.get(unit, "number"), value=_plain(value), unit=unit, text=text)


def _digits_value(digits: str) -> Decimal | None:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):
        digits = digits.replace(".", "")
    digits = re.sub(r"[ \u00a0\u202f]", "", digits).replace(",", ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def _words_value(words: str) -> Decimal | None:
    """The value of French number words: "vingt-cinq", "quatre-vingt-dix", "deux mille"."""
    words = re.sub(r"quatre[\s-]+vingts?", "quatrevingt", words)
    total = current = 0
    for word in re.split(r"[\s-]+", words):
        if word == "et":
            continue
        if word == "quatrevingt":
            current += 80
        elif word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
        elif word in ("cent", "cents"):
            current = (current or 1) * 100
        else:
            total += (current or 1) * _MULTIPLIERS[word]
            current = 0
    return Decimal(total + current)


def _plain(value: Decimal) -> str:
    """A decimal without its trailing zeros nor exponent: 2.50 → "2.5", 1E+3 → "1000"."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def passage_figures(text: str) -> set[tuple[str, str]]:
    """What a passage states, as (value, unit) pairs a sentence's figure may match: each
    figure, a date also by its month and its year, and a figure also without its unit."""
    stated: set[tuple[str, str]] = set()
    for figure in extract_figures(text):
        stated.add((figure.value, figure.unit))
        stated.add((figure.value, ""))
        if figure.kind == "date":
            year, month, *day = figure.value.split("-")
            stated.add((f"-{month}" + (f"-{day[0]}" if day else ""), ""))
            if year:
                stated.add((year, ""))
                stated.add((f"{year}-{month}", ""))
    return stated


def figure_found(figure: Figure, stated: set[tuple[str, str]]) -> bool:
    """Whether a passage stating `stated` (`passage_figures`) states `figure`.

    A figure with a unit needs that value with that unit, or with none at all ("de 5 à
    10 jours" gives 5 no unit); a figure without a unit needs the value, whatever its unit.
    """
    if figure.kind == "date":
        return (figure.value, "") in stated
    if (figure.value, figure.unit) in stated:
        return True
    if (figure.value, "") not in stated:
        return False
    return not figure.unit or not any(value == figure.value and unit for value, unit in stated)
