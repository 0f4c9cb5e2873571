"""Sparse lexical vectors (BM25) for French and English passages.

Qdrant stores the "sparse" vectors with the IDF modifier: the engine computes each term's
inverse document frequency over the collection at query time. So a passage carries BM25's
saturated term-frequency weight per term, a query carries 1.0 per term, and Qdrant's dot
product of the two, IDF-weighted, is the passage's BM25 score.

Terms are stems: "Congés", "conges" and "congé" are one term, and so are "l'agent" and
"agents". A term's index in the sparse vector is a stable 32-bit hash of the stem.
"""

import hashlib
import re
import threading
import unicodedata
from collections import Counter
from functools import lru_cache

import snowballstemmer

from ai.vectorstore.base import SparseVector

# BM25's usual parameters: k1 bounds what repeating a term can add, b how much a long
# passage is penalised for containing more terms.
K1 = 1.2
B = 0.75
# Average length, in tokens kept by `tokenize`, of the passages being indexed. Measured on
# French administrative prose cut into ~1000-character chunks (the default
# SPLIT_CHUNK_SIZE): 85 to 100 tokens once stop words are gone. A constant rather than a
# per-collection statistic so a passage's vector never depends on the other passages.
AVERAGE_PASSAGE_LENGTH = 90

# A whole document (the document-level ranking, `ai.passages.store_document_summary`): its
# length is penalised more than a passage's (b), against the average length of a document
# of the man-page evaluation sets (530 to 630 tokens). Both tuned on the dev halves.
DOCUMENT_B = 0.9
AVERAGE_DOCUMENT_LENGTH = 600

# Longer "words" are hashes, URLs or base64, never something a person searches for.
MAX_WORD_LENGTH = 40

# Compact lists, already without accents (they are compared with accent-folded words).
# French: articles, pronouns, prepositions, conjunctions, frequent forms of être/avoir,
# and what elision leaves before the apostrophe ("qu", "jusqu", "lorsqu", "aujourd"; the
# one-letter ones, "l" "d" "j" "n" "s" "c" "m" "t", are dropped for their length).
_FRENCH_STOP_WORDS = """
    a afin ai aie aient aies ait alors as au aucun aucune aujourd auquel aussi autre autres
    aux auxquelles auxquels avaient avais avait avant avec avez aviez avions avoir avons
    ayant ayez ayons c ca car ce ceci cela celle celles celui cependant certain certaine
    certaines certains ces cet cette ceux chacun chacune chaque chez ci comme comment d dans
    de des desquelles desquels dont donc du duquel elle elles en encore entre es est et
    etaient etais etait etant ete etes etiez etions etre eu eue eues eurent eus eut eux fois
    furent fut hui ici il ils j je jusqu l la laquelle le lequel les lesquelles lesquels
    leur leurs lorsqu lorsque lui m ma mais me meme memes mes moi mon n ne ni nos notre nous
    on ont or ou par parce pas peu peut plus pour pourquoi puis puisqu puisque qu quand que
    quel quelle quelles quels qui quoi quoiqu s sa sans se sera serait seront ses si sien
    sienne soi soient sois soit sommes son sont sous soyez soyons suis sur t ta tandis te
    tel telle telles tels tes toi ton tous tout toute toutes tres tu un une unes uns vers
    via voici voila vos votre vous y
"""
_ENGLISH_STOP_WORDS = """
    about above after again all also am and any are as at be because been before being below
    between both by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours yourself
"""
FRENCH_STOP_WORDS = frozenset(_FRENCH_STOP_WORDS.split())
ENGLISH_STOP_WORDS = frozenset(_ENGLISH_STOP_WORDS.split())
STOP_WORDS = FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS

_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
# Any character but a letter or a digit ends a term, so elisions ("l'agent", "jusqu'à")
# split at the apostrophe whatever its glyph (U+0027, U+2019...), and so do hyphenated
# words ("épargne-temps").
# A legal reference ("L. 1234-5", "R4624-1", "article 1234-5") gives the number with its
# subdivisions as one term, plus the code letter glued to it when there is one, so
# "l.1234-5" also matches "L 1234-5" and ranks it above "R. 1234-5". Otherwise a term is a
# run of letters and digits ("2024", "1er", "teletravail").
_TERM = re.compile(r"(?:\b([lrd])(?:\.\s?|\s)?)?(\d+(?:-\d+)*)\b|([^\W_]+)")

# A snowball stemmer keeps the word it works on in itself: two threads stemming with one
# stemmer read each other's word (IndexError, or a wrong stem written into an index while a
# search ran beside the indexing). So each thread has its own.
_stemmers = threading.local()


def _french_stemmer():
    stemmer = getattr(_stemmers, "french", None)
    if stemmer is None:
        stemmer = _stemmers.french = snowballstemmer.stemmer("french")
    return stemmer


def _fold(text: str) -> str:
    """Lower case, without accents; ligatures Unicode keeps are spelled out ("coeur")."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """The French stem of an accent-folded word.

    Accents go BEFORE stemming, so a word typed without accents ("teletravail", "conges")
    always gives the same term as the accented one: stemming first, then folding, gave a
    different term for 16% of the accented words of a 5,200-word French vocabulary
    ("employé" → "emploi" but "employe" → "employ"). Folding first costs the stemmer its
    rules on "-é/-ée": dropping the final "e" it leaves restores most of them
    ("autorisée", "autorisé", "autorisation" → "autoris"): within-family conflation rose
    from 48% to 61% on 50 families of administrative words, with no false merge.

    One stemmer for every language: folded French is plain ASCII too, so there is no
    telling an English word from a French one typed without accents. The French stemmer
    already strips English plurals ("employees" → "employ"); running the English stemmer
    first merged many more English forms but also French words it should not
    ("autorisation" with "autorité", "cours" with "course").
    """
    stem = _french_stemmer().stemWord(word)
    if len(stem) > 3 and stem.endswith("e"):
        stem = stem[:-1]
    return stem


def tokenize(text: str) -> list[str]:
    """The search terms of `text`, in order: stems, numbers and legal references."""
    terms = []
    for code, number, word in _TERM.findall(_fold(text)):
        if word:
            if len(word) > MAX_WORD_LENGTH or word in STOP_WORDS:
                continue
            if word.isalpha():
                word = _stem(word)
            if len(word) > 1:
                terms.append(word)
        else:
            if len(number) > 1:
                terms.append(number)
            if code:
                terms.append(code + number)
    return terms


@lru_cache(maxsize=20_000)
def text_terms(text: str) -> frozenset[str]:
    """The distinct search terms of a text (cached: the same passages come back search
    after search)."""
    return frozenset(tokenize(text))


@lru_cache(maxsize=200_000)
def token_index(token: str) -> int:
    """A term's index in sparse vectors: the same in every process and Python version.

    32 bits of BLAKE2b: two terms share an index with probability ~V²/2³³, i.e. about one
    pair in a vocabulary of 90,000 stems; such a pair merely adds up in the scores.
    """
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def document_sparse_vector(
    text: str, *, b: float = B, average_length: float = AVERAGE_PASSAGE_LENGTH
) -> SparseVector:
    """BM25 term weights of a passage (or, with the DOCUMENT_* parameters, of a whole
    document); Qdrant multiplies them by the terms' IDF."""
    return terms_sparse_vector(tokenize(text), b=b, average_length=average_length)


def terms_sparse_vector(
    tokens: list[str], *, b: float = B, average_length: float = AVERAGE_PASSAGE_LENGTH
) -> SparseVector:
    """`document_sparse_vector` of text already cut into its terms (`tokenize`)."""
    length_norm = K1 * (1 - b + b * len(tokens) / average_length)
    weights: dict[int, float] = {}
    for token, tf in Counter(tokens).items():
        index = token_index(token)
        weights[index] = weights.get(index, 0.0) + tf * (K1 + 1) / (tf + length_norm)
    indices = sorted(weights)
    return SparseVector(indices=indices, values=[weights[index] for index in indices])


def query_sparse_vector(text: str) -> SparseVector:
    """Weight 1.0 per distinct term of a query: the IDF comes from Qdrant."""
    indices = sorted({token_index(token) for token in tokenize(text)})
    return SparseVector(indices=indices, values=[1.0] * len(indices))
