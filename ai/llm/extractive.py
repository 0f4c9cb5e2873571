"""The answer without a language model: the best sentences of the best passages, cited.

It is what the embedded default offers, so a fresh install answers something useful and
honest: the answer says plainly that it was assembled from the passages, not written.
"""

import re
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass

from ai.lexical import tokenize
from ai.llm.base import Delta, NumberedPassage, Prompt

EXTRACTIVE_NOTICE = (
    "*Réponse extractive : aucun modèle de langage n'est configuré, voici les extraits des "
    "documents qui répondent le mieux à la question.*"
)
PASSAGES_QUOTED = 3
SENTENCES_PER_PASSAGE = 2
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
    """The notice, then the sentences of the first passages that share most words with the
    question, each followed by its citation."""
    wanted = set(tokenize(question))
    quotes = []
    for passage in passages[:PASSAGES_QUOTED]:
        sentences = best_sentences(passage.text, wanted)
        if sentences:
            quotes.append(f"> {_shorten(' '.join(sentences))} [{passage.number}]")
    return "\n\n".join([EXTRACTIVE_NOTICE, *quotes])


def best_sentences(text: str, wanted: set[str]) -> list[str]:
    """Up to SENTENCES_PER_PASSAGE sentences richest in `wanted` terms, in reading order."""
    sentences = [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]
    if not sentences:
        return []
    scored = sorted(
        range(len(sentences)),
        key=lambda index: (-len(wanted & set(tokenize(sentences[index]))), index),
    )
    return [sentences[index] for index in sorted(scored[:SENTENCES_PER_PASSAGE])]


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= LONGEST_QUOTE:
        return text
    return text[:LONGEST_QUOTE].rsplit(" ", 1)[0] + " …"


def _words(text: str) -> Iterator[str]:
    """The answer a word (and its trailing space) at a time, as a model would stream it."""
    yield from _WORD_WITH_SPACE.findall(text)
