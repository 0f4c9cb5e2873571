"""The title a document gives itself: its metadata title, else its first level-1 heading.

Metadata titles are often left by the application rather than written by a person
(« Microsoft Word - doc1.docx », « Présentation PowerPoint », a file name): those, empty
ones, ones too long to be a title and ones without a letter are no title.
"""

import re

MIN_LENGTH = 3
# Longer than this, a "title" is a sentence or a paragraph set in a heading style.
MAX_LENGTH = 150
_APPLICATION_PREFIX = re.compile(
    r"^(?:microsoft\s+(?:word|excel|powerpoint)|libreoffice|openoffice)\b", re.IGNORECASE
)
_FILE_NAME = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|od[tsp]|html?|md|txt|rtf|csv)$|^[\w-]+_[\w-]*$", re.IGNORECASE
)
_PLACEHOLDER = re.compile(
    r"^(?:untitled|sans\s+titre|document|doc|titre|title|classeur|workbook|diapositive|slide"
    r"|présentation\s+powerpoint|powerpoint\s+presentation|new\s+document)\s*\d*$",
    re.IGNORECASE,
)


def own_title(*candidates: str) -> str:
    """The first of `candidates` that reads as a title a person gave, tidied; else ""."""
    for candidate in candidates:
        title = " ".join((candidate or "").split())
        if _is_sensible(title):
            return title
    return ""


def _is_sensible(title: str) -> bool:
    return (
        MIN_LENGTH <= len(title) <= MAX_LENGTH
        and any(character.isalpha() for character in title)
        and not _APPLICATION_PREFIX.match(title)
        and not _FILE_NAME.search(title)
        and not _PLACEHOLDER.match(title)
    )
