"""Abbreviations spelled out in search queries, from the glossary of the categories.

Staff write "sft" where the documents say "supplément familial de traitement": neither the
embeddings nor BM25 tie the two, so the expansion is added to the query, right after the
abbreviation.

The glossary is read at every call rather than cached: one query, narrowed to the words of
the question, so it usually returns no row at all, and costs little next to embedding the
query. A per-process cache would keep serving an entry edited in the admin in every other
process (web, workers, websockets) until it expired or a shared version stamp told it.
"""

import re
from collections.abc import Iterable, Sequence

from common.text import normalize_question
from documents import selectors
from documents.models import normalize_abbreviation

# A word: a run of letters and digits ("sft", "2024"), or several joined by dots, with
# the final dot of an acronym ("S.F.T.", "Ph.D."). Anything else ends a word, as it ends a
# search term: "l'IFF", "SFT-IFF" and "sft_2024" hold two words each. Whatever
# `GlossaryEntry.clean` accepts is one word here.
_WORD = re.compile(r"[^\W_]+(?:\.[^\W_]+)+\.?|[^\W_]+")
_SEPARATOR = " ; "


def expand_query(query: str, category_ids: Sequence[int] | None) -> str:
    """`query` with the expansion of each glossary abbreviation in parentheses after it.

    "montant du sft en 2024" → "montant du sft (supplément familial de traitement) en 2024".
    The glossary is the global entries plus those of `category_ids` (None: every category);
    an entry of a category replaces the global one there. Words match whole, whatever their
    case, accents or dots. An abbreviation is expanded at its first occurrence only, and
    not when the query already spells the expansion out.
    """
    words = [(match, normalize_abbreviation(match.group())) for match in _WORD.finditer(query)]
    expansions = _expansions({key for _, key in words}, category_ids) if words else {}
    if not expansions:
        return query
    spelled_out = normalize_question(query)
    parts, start = [], 0
    for match, key in words:
        missing = [
            expansion
            for expansion in expansions.pop(key, [])
            if normalize_question(expansion) not in spelled_out
        ]
        if missing:
            parts += [query[start : match.end()], f" ({_SEPARATOR.join(missing)})"]
            start = match.end()
    return "".join([*parts, query[start:]])


def _expansions(
    abbreviations: set[str], category_ids: Sequence[int] | None
) -> dict[str, list[str]]:
    """The expansions of those of `abbreviations` in the glossary, each list in order."""
    global_entries: dict[str, str] = {}
    own_entries: dict[str, dict[int, str]] = {}
    rows = (
        selectors.glossary_for(category_ids, abbreviations=abbreviations)
        .order_by("pk")
        .values_list("category_id", "normalized", "expansion")
    )
    for category_id, abbreviation, expansion in rows:
        if category_id is None:
            global_entries[abbreviation] = expansion
        else:
            own_entries.setdefault(abbreviation, {})[category_id] = expansion
    expansions = {}
    for abbreviation in global_entries.keys() | own_entries.keys():
        own = own_entries.get(abbreviation, {})
        candidates = list(own.values())
        # The global entry still speaks for the searched categories without their own one;
        # "every category" includes those created tomorrow.
        replaced = category_ids is not None and bool(own) and own.keys() >= set(category_ids)
        if abbreviation in global_entries and not replaced:
            candidates.append(global_entries[abbreviation])
        expansions[abbreviation] = _distinct(candidates)
    return expansions


def _distinct(expansions: Iterable[str]) -> list[str]:
    """`expansions` without those that differ from an earlier one by case or accents only."""
    kept: dict[str, str] = {}
    for expansion in expansions:
        kept.setdefault(normalize_question(expansion), expansion)
    return list(kept.values())
