"""Sparse lexical vectors: French-aware terms, BM25 weights, and ranking through Qdrant."""

import sys
import threading
import time
import uuid

import pytest

from ai import lexical
from ai.lexical import document_sparse_vector, query_sparse_vector, token_index, tokenize
from ai.vectorstore import SparseVector, VectorPoint
from ai.vectorstore.edge import EdgeVectorStore


def weight_of(term: str, vector: SparseVector) -> float:
    return vector.values[list(vector.indices).index(token_index(term))]


def test_accents_and_case_do_not_matter():
    assert tokenize("Télétravail") == tokenize("teletravail") == tokenize("TÉLÉTRAVAIL")
    assert tokenize("congés") == tokenize("conges") == tokenize("CONGÉS")
    assert tokenize("cœur") == tokenize("coeur")


def test_elisions_are_split_whatever_the_apostrophe():
    agent = tokenize("agent")
    typographic = "\u2019"
    assert tokenize("l'agent") == tokenize(f"l{typographic}agent") == tokenize("d'agent") == agent
    assert tokenize(f"jusqu{typographic}à lorsqu'il puisqu'elle qu'on n'est s'il c'est j'ai") == []


def test_stop_words_are_removed_in_french_and_in_english():
    assert tokenize("le la les des du de et ou dans pour sur avec") == []
    assert tokenize("the of and to in is for with") == []
    assert tokenize("Les congés de l'agent") == tokenize("congés agent")


def test_a_word_and_its_inflections_share_a_term():
    assert len(set(tokenize("congé congés conges"))) == 1
    assert len(set(tokenize("autorisé autorisée autorisés autorisation autoriser"))) == 1
    assert len(set(tokenize("salarié salariés"))) == 1
    assert len(set(tokenize("annuel annuels annuelle"))) == 1
    assert len(set(tokenize("report reporter reportés"))) == 1
    assert len(set(tokenize("employee employees"))) == 1


def test_numbers_and_legal_references_are_kept():
    assert tokenize("en 2024") == ["2024"]
    assert "12h30" in tokenize("à 12h30")
    reference = tokenize("article L.1234-5")
    assert "1234-5" in reference
    assert "l1234-5" in reference
    assert set(tokenize("L. 1234-5")) == set(tokenize("l1234-5")) == {"1234-5", "l1234-5"}
    assert "l1234-5" not in tokenize("R. 1234-5")


def test_one_letter_tokens_are_dropped():
    assert tokenize("a b c x 5") == []


def test_term_indices_are_stable_32_bit_values():
    assert token_index("teletravail") == 537346239
    assert 0 <= token_index("cong") < 2**32
    assert query_sparse_vector("Télétravail").indices == [537346239]


def test_document_vectors_have_sorted_unique_indices():
    vector = document_sparse_vector("Le report des congés annuels : report possible des congés.")
    assert list(vector.indices) == sorted(set(vector.indices))
    assert len(vector.indices) == len(vector.values) == 4


def test_repeating_a_term_saturates_its_weight():
    def weight(repeats: int) -> float:
        words = ["congés"] * repeats + ["travail"] * (30 - repeats)  # same length
        return weight_of("cong", document_sparse_vector(" ".join(words)))

    once, twice, thrice, often = weight(1), weight(2), weight(3), weight(20)
    assert once < twice < thrice < often < 2.2  # bounded by k1 + 1
    assert twice - once > thrice - twice


def test_a_longer_passage_weighs_the_same_term_less():
    short = document_sparse_vector("Report des congés annuels.")
    long = document_sparse_vector("Report des congés annuels. " + "Texte sans rapport. " * 60)
    assert weight_of("cong", long) < weight_of("cong", short)


def test_query_terms_weigh_one_each():
    vector = query_sparse_vector("report des congés, report des congés annuels")
    assert len(vector.indices) == 3
    assert list(vector.values) == [1.0, 1.0, 1.0]


def test_text_without_terms_gives_an_empty_vector():
    assert query_sparse_vector("de la, et !") == SparseVector(indices=[], values=[])
    assert document_sparse_vector("") == SparseVector(indices=[], values=[])


def test_tokenizing_a_thousand_passages_takes_well_under_a_second():
    passage = (
        "Conformément à l'article L. 3141-3 du code du travail, les congés payés non pris "
        "au 31 mai peuvent être reportés avec l'accord de l'employeur. "
    ) * 7
    passages = [f"{passage[:990]} n°{number}" for number in range(1000)]
    started = time.perf_counter()
    for text in passages:
        document_sparse_vector(text)
    assert time.perf_counter() - started < 1.0  # ~0.2 s measured


PASSAGES = {
    "report": "Le report de congé annuel est possible jusqu'au 30 avril de l'année suivante, "
    "sur demande écrite de l'agent.",
    "maternity": "Les congés de maternité durent seize semaines. Les congés annuels restent "
    "acquis pendant le congé de maternité.",
    "meeting": "Le report de la réunion annuelle du comité social et économique est décidé "
    "par son président.",
}


@pytest.fixture
def bm25_store(tmp_path):
    store = EdgeVectorStore(root=tmp_path, collection="lexical")
    store.create_collection(dense_size=4)
    store.upsert(
        [
            VectorPoint(
                id=str(uuid.uuid4()),
                dense=[1.0, 0.0, 0.0, 0.0],
                payload={"name": name},
                sparse=document_sparse_vector(text),
            )
            for name, text in PASSAGES.items()
        ]
    )
    yield store
    store.drop_collection()


def test_with_qdrant_idf_the_passage_with_every_query_term_ranks_first(bm25_store):
    hits = bm25_store.search_sparse(query_sparse_vector("report des congés annuels"), limit=3)
    assert hits[0].payload["name"] == "report"
    assert len(hits) == 3


def test_a_query_typed_without_accents_finds_the_same_passage(bm25_store):
    hits = bm25_store.search_sparse(query_sparse_vector("conge de maternite"), limit=1)
    assert hits[0].payload["name"] == "maternity"


def test_words_stemmed_in_several_threads_at_once_get_their_own_stems():
    """Indexing prepares a document while another embeds and searches run beside them: a
    stemmer shared by the threads raised IndexError mid-document, or gave a wrong stem."""
    words = [
        stem + suffix
        for stem in ("autoris", "emploi", "format", "document", "rembours", "titular")
        for suffix in ("ation", "ations", "ement", "ées", "able", "ive", "ité", "euse")
    ]
    expected = {word: lexical._stem.__wrapped__(word) for word in words}
    errors: list[Exception] = []
    wrong: list[tuple[str, str]] = []

    def stem_every_word() -> None:
        for _ in range(30):
            for word in words:
                try:
                    stem = lexical._stem.__wrapped__(word)  # past the cache, to the stemmer
                except Exception as error:  # the race shows as any error
                    errors.append(error)
                    continue
                if stem != expected[word]:
                    wrong.append((word, stem))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often: the race shows at once
    try:
        threads = [threading.Thread(target=stem_every_word) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)

    assert (errors[:3], wrong[:3]) == ([], [])
