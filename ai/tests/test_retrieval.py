"""Retrieval on the real parts: the local embedder and Qdrant Edge."""

import pytest

from ai.passages import Passage, store_passages
from ai.retrieval import Mode, collapse_near_duplicates, fuse, search_passages
from ai.vectorstore import SearchHit

PASSAGES = {
    1: "Le report des congés annuels est possible jusqu'au 31 mai avec l'accord du chef.",
    2: "Le télétravail est autorisé deux jours par semaine sur demande écrite.",
    3: "Les frais de déplacement sont remboursés sur justificatifs dans un délai d'un mois.",
    4: "La visite médicale a lieu tous les deux ans pour les agents exposés.",
}


def hit(point_id: str, **payload) -> SearchHit:
    return SearchHit(id=point_id, score=0.0, payload=payload)


@pytest.fixture
def indexed():
    store_passages(
        [
            Passage(
                key=f"test:{number}",
                embed_text=text,
                payload={
                    "kind": "document",
                    "category_id": 10 + number % 2,
                    "document_id": number,
                    "title": f"Guide {number}",
                    "page": 1,
                    "text": text,
                },
            )
            for number, text in PASSAGES.items()
        ]
    )


def test_rrf_rewards_passages_ranked_well_by_both_searches():
    dense = [hit("a"), hit("b"), hit("c")]
    sparse = [hit("b"), hit("d"), hit("a")]
    assert [h.id for h in fuse([(1.0, dense), (1.0, sparse)])] == ["b", "a", "d", "c"]


def test_rrf_weights_favour_one_search():
    dense = [hit("a"), hit("b")]
    sparse = [hit("b"), hit("a")]
    assert [h.id for h in fuse([(2.0, dense), (1.0, sparse)])] == ["a", "b"]


def test_repeated_passages_of_the_same_page_are_collapsed():
    text = "le report des congés annuels jusqu'au 31 mai"
    hits = [
        hit("a", document_id=1, page=2, text=text),
        hit("b", document_id=1, page=2, text=text + " avec accord"),
        hit("c", document_id=1, page=3, text=text),
        hit("d", document_id=2, page=2, text=text),
    ]
    assert [h.id for h in collapse_near_duplicates(hits)] == ["a", "c", "d"]


@pytest.mark.parametrize("mode", list(Mode))
def test_every_mode_finds_the_passage_that_answers(indexed, mode):
    results = search_passages("Jusqu'à quand reporter mes congés ?", limit=2, mode=mode)
    assert results[0].document_id == 1
    assert results[0].title == "Guide 1"


def test_results_stay_within_the_requested_categories(indexed):
    results = search_passages("congés télétravail frais visite", category_ids=[10], limit=10)
    assert {result.category_id for result in results} == {10}
    assert search_passages("congés", category_ids=[], limit=5) == []


def test_results_carry_the_highlighted_passage(indexed):
    (result,) = search_passages("télétravail", limit=1, mode=Mode.BM25)
    assert "<mark>télétravail</mark>" in result.highlighted


def test_a_category_threshold_drops_passages_not_similar_enough(indexed):
    question = "Jusqu'à quand reporter mes congés ?"
    everything = search_passages(question, category_ids=[11], limit=10, mode=Mode.BM25)
    assert everything
    strict = search_passages(
        question, category_ids=[11], limit=10, mode=Mode.BM25, thresholds={11: 0.99}
    )
    assert strict == []
    lenient = search_passages(
        question, category_ids=[11], limit=10, mode=Mode.BM25, thresholds={11: 0.0}
    )
    assert [r.id for r in lenient] == [r.id for r in everything]
