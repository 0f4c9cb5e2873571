"""Passages as safe HTML with the words that matched the query marked."""

import re

from django.utils.html import escape

from ai.lexical import tokenize

_WORD = re.compile(r"\w+", re.UNICODE)


def highlight(text: str, query: str) -> str:
    """Escape `text` and wrap in <mark> each word sharing a search term with `query`.

    Words are compared through the same analysis as the lexical index (accents, case,
    stems), so « congé » in the query marks « Congés » in the passage.
    """
    wanted = set(tokenize(query))
    if not wanted:
        return escape(text)
    parts: list[str] = []
    cursor = 0
    for match in _WORD.finditer(text):
        parts.append(escape(text[cursor : match.start()]))
        word = match.group()
        if wanted.intersection(tokenize(word)):
            parts.append(f"<mark>{escape(word)}</mark>")
        else:
            parts.append(escape(word))
        cursor = match.end()
    parts.append(escape(text[cursor:]))
    return "".join(parts)
