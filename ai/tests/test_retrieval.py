"""Retrieval on the real parts: the local embedder, Qdrant Edge, a reranking server."""

import pytest

from ai.embeddings import EmbeddingUnavailable, get_embedder
from ai.passages import Passage, store_document_summary, store_passages
from ai.rerank import RerankAPI
from ai.retrieval import OFFLINE_RERANKER, Mode, rank_passages, search_passages
from testing.rerank_server import FakeRerankServer

PASSAGES = {
    1: "Le report des congés annuels est possible jusqu'au 31 mai avec l'accord du chef.",
    2: "Le télétravail est autorisé deux jours par semaine sur demande écrite.",
    3: "Les frais de déplacement sont remboursés sur justificatifs dans un délai d'un mois.",
    4: "La visite médicale a lieu tous les deux ans pour les agents exposés.",
}
QUESTION = "Jusqu'à quand reporter mes congés ?"


def index(document_id: int, category_id: int, texts: list[str], title: str = "") -> None:
    vectors = store_passages(
        [
            Passage(
                key=f"test:{document_id}:{position}",
                embed_text=text,
                payload={
                    "kind": "document",
                    "category_id": category_id,
                    "document_id": document_id,
                    "title": title or f"Guide {document_id}",
                    "page": 1,
                    "position": position,
                    "text": text,
                },
            )
            for position, text in enumerate(texts)
        ]
    )
    store_document_summary(
        f"summary:{document_id}",
        text="\n\n".join(texts),
        vectors=vectors,
        payload={"kind": "document", "category_id": category_id, "document_id": document_id},
    )


@pytest.fixture
def indexed():
    for number, text in PASSAGES.items():
        index(number, 10 + number % 2, [text])


@pytest.mark.parametrize("mode", list(Mode))
def test_every_mode_finds_the_passage_that_answers(indexed, mode):
    results = search_passages(QUESTION, limit=2, mode=mode)
    assert results[0].document_id == 1
    assert results[0].title == "Guide 1"


def test_results_stay_within_the_requested_categories(indexed):
    results = search_passages("congés télétravail frais visite", category_ids=[10], limit=10)
    assert {result.category_id for result in results} == {10}
    assert search_passages("congés", category_ids=[], limit=5) == []


def test_results_carry_the_highlighted_passage(indexed):
    (result,) = search_passages("télétravail", limit=1, mode=Mode.BM25)
    assert "<mark>télétravail</mark>" in result.highlighted


def test_a_long_document_is_one_result_with_its_other_passages_under_it():
    index(1, 10, [f"Les congés annuels, chapitre {n} : le report des congés." for n in range(8)])
    index(2, 10, [PASSAGES[1]])

    results = search_passages(QUESTION, category_ids=[10], limit=10)

    assert sorted(result.document_id for result in results) == [1, 2]
    (long,) = [result for result in results if result.document_id == 1]
    assert 1 <= len(long.others) <= 3
    assert {other.document_id for other in long.others} == {1}


def test_every_mode_gives_the_same_calibrated_score_to_a_document(indexed):
    scores = {
        mode: {r.document_id: r.score for r in search_passages(QUESTION, limit=4, mode=mode)}
        for mode in Mode
    }
    for by_document in scores.values():
        assert all(0.0 <= score <= 1.0 for score in by_document.values())
    assert scores[Mode.DENSE][1] == scores[Mode.BM25][1] == scores[Mode.HYBRID][1]


def test_the_answering_passage_scores_above_an_unrelated_one(indexed):
    by_document = {r.document_id: r.score for r in search_passages(QUESTION, limit=4)}
    assert by_document[1] > by_document.get(3, 0.0)


def test_a_threshold_keeps_what_reaches_it_and_reports_the_rest(indexed):
    everything = rank_passages(QUESTION, category_ids=[11], limit=10)
    assert everything.results and not everything.dropped
    strict = rank_passages(QUESTION, category_ids=[11], limit=10, thresholds={11: 1.0})
    assert strict.results == []
    assert [r.id for r in strict.dropped] == [r.id for r in everything.results]
    site = rank_passages(QUESTION, category_ids=[11], limit=10, default_threshold=1.0)
    assert site.results == []
    own = rank_passages(
        QUESTION, category_ids=[11], limit=10, thresholds={11: 0.0}, default_threshold=1.0
    )
    assert [r.id for r in own.results] == [r.id for r in everything.results]


def test_a_reranking_api_orders_the_candidates_with_its_own_scores(indexed):
    with FakeRerankServer() as server:
        server.scores = {PASSAGES[3]: 0.99}
        reranker = RerankAPI(name="TEI interne", base_url=server.base_url)

        ranking = rank_passages("congés frais visite télétravail", limit=4, reranker=reranker)

    assert ranking.reranker == "TEI interne" and not ranking.fallback
    assert ranking.results[0].document_id == 3 and ranking.results[0].score == 0.99


def test_a_failing_reranking_api_falls_back_to_the_offline_reranker(indexed):
    with FakeRerankServer() as server:
        server.status = 500
        reranker = RerankAPI(name="TEI interne", base_url=server.base_url)

        ranking = rank_passages(QUESTION, limit=2, reranker=reranker)

    assert ranking.reranker == OFFLINE_RERANKER and ranking.fallback
    assert ranking.results[0].document_id == 1


def test_without_the_embedding_model_bm25_still_ranks_and_hybrid_says_why(indexed, monkeypatch):
    def unavailable(texts):
        raise EmbeddingUnavailable("the embeddings API does not answer")

    monkeypatch.setattr(get_embedder(), "embed", unavailable)

    (result, *_) = search_passages(QUESTION, limit=2, mode=Mode.BM25)
    assert result.document_id == 1
    with pytest.raises(EmbeddingUnavailable):
        search_passages(QUESTION, limit=2)
