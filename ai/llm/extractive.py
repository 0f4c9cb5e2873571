"""The answer without a language model: the sentences that answer the question, cited.

It is what the embedded default offers, so a fresh install answers something useful and
honest: the answer says plainly that it was assembled from the passages, not written.

Sentences are chosen for their own relevance, across every passage the search kept (all
above the relevance threshold): each is scored by the question's terms it holds, a term
weighing more the fewer sentences hold it (so « mariage » outweighs « jours » and
« congés » when the passages are all about leave). Only sentences close to the best one
(`RELATIVE_CUTOFF`) are quoted, in reading order, each with its citation: a passage that
was retrieved but does not answer gives no filler quote.
"""

import math
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass

from ai.lexical import tokenize
from ai.llm.base import Delta, NumberedPassage, Prompt

EXTRACTIVE_NOTICE = (
    "*Réponse extractive : aucun modèle de langage n'est configuré, voici les extraits des "
    "documents qui répondent le mieux à la question.*"
)
# At most this many sentences, those scoring at least RELATIVE_CUTOFF of the best one.
SENTENCES_QUOTED = 3
RELATIVE_CUTOFF = 0.75
LONGEST_QUOTE = 400
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+|\n+")
_WORD_WITH_SPACE = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class ExtractiveProvider:
    kind: str = "extractive"
    model: str = "extractive"
    generative: bool = False
    context_window: int = 1_000_000
    max_answer_tokens: int = 0

    @property
    def label(self) -> str:
        return "Extraits (sans modèle de langage)"

    async def stream(self, prompt: Prompt) -> AsyncIterator[Delta]:
        for piece in _words(extractive_answer(prompt.question, prompt.passages)):
            yield Delta(text=piece)

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> str:
        raise NotImplementedError("The extractive provider does not write text.")


def extractive_answer(question: str, passages: Sequence[NumberedPassage]) -> str:
    """The notice, then the sentences that answer `question` best, each with its citation."""
    chosen = focused_sentences(set(tokenize(question)), passages)
    quotes = [f"> {_shorten(text)} [{number}]" for number, text in chosen]
    return "\n\n".join([EXTRACTIVE_NOTICE, *quotes])


def focused_sentences(
    wanted: set[str], passages: Sequence[NumberedPassage]
) -> list[tuple[int, str]]:
    """(passage number, sentence) of the sentences to quote, in reading order: the best
    SENTENCES_QUOTED above RELATIVE_CUTOFF of the best score; the first passage's opening
    sentence when no sentence holds a term of the question."""
    sentences = [
        (passage.number, text, set(tokenize(text)) & wanted)
        for passage in passages
        for text in _sentences(passage.text)
    ]
    if not sentences:
        return []
    holding = Counter(term for _, _, terms in sentences for term in terms)
    weight = {term: math.log(1 + len(sentences) / count) for term, count in holding.items()}
    scores = [sum(weight[term] for term in terms) for _, _, terms in sentences]
    best = max(scores)
    if best <= 0:
        number, text, _ = sentences[0]
        return [(number, text)]
    ranked = sorted(range(len(sentences)), key=lambda index: (-scores[index], index))
    kept = [index for index in ranked if scores[index] >= RELATIVE_CUTOFF * best]
    return [sentences[index][:2] for index in sorted(kept[:SENTENCES_QUOTED])]


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= LONGEST_QUOTE:
        return text
    return text[:LONGEST_QUOTE].rsplit(" ", 1)[0] + " …"


def _words(text: str) -> Iterator[str]:
    """The answer a word (and its trailing space) at a time, as a model would stream it."""
    yield from _WORD_WITH_SPACE.findall(text)
