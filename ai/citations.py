"""How an answer cites its sources: `[n]`, or several at once, `[1, 3]` or `[1; 3]`.

The prompt asks the model for this syntax; it is read in three places, all from here:
`cited_numbers` (the citations of an answer), the dashboard's count of the documents cited
most (`CITED_BEFORE` and `CITED_AFTER`, for PostgreSQL's regular expressions and Python's
alike) and the
page's Markdown renderer, `static/js/markdown.js`, whose copy of `CITATION` a test checks.
"""

import re

NUMBER = r"\d{1,3}"
SEPARATOR = r"\s*[,;]\s*"
CITATION = rf"\[({NUMBER}(?:{SEPARATOR}{NUMBER})*)\]"
_CITATION = re.compile(CITATION)
# A citation of one number n is CITED_BEFORE + n + CITED_AFTER: [n] alone, or in a list.
CITED_BEFORE = rf"\[({NUMBER}{SEPARATOR})*"
CITED_AFTER = rf"({SEPARATOR}{NUMBER})*\]"


def cited_numbers(answer: str, source_count: int) -> list[int]:
    """The source numbers `answer` cites, each once, in order, among 1..`source_count`."""
    cited: list[int] = []
    for group in _CITATION.findall(answer):
        for number in map(int, re.findall(NUMBER, group)):
            if 1 <= number <= source_count and number not in cited:
                cited.append(number)
    return cited
