"""The retrieval inspector: staff compare what each search mode finds for a question."""

import io
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.urls import reverse
from django.utils import timezone

from ai.embeddings.base import EmbeddingUnavailable
from ai.retrieval import Mode
from backoffice.inspector import inspect_retrieval
from chat.answering import Sources, answer_question
from chat.tests.factories import UserFactory
from documents.indexing import index_document
from documents.models import Document, GlossaryEntry
from documents.tests.factories import CategoryFactory
from documents.uploads import create_document
from testing.services import free_port

pytestmark = pytest.mark.django_db

INSPECTOR_URL = reverse("backoffice:inspector")
TELEWORK = "Le télétravail est autorisé deux jours par semaine pour les agents à temps plein."
CANTEEN = "La cantine est ouverte de 11 h 30 à 14 h ; le repas coûte 4,50 euros."


@pytest.fixture
def category():
    category = CategoryFactory(name="Ressources humaines")
    for name, text in {"teletravail.txt": TELEWORK, "cantine.txt": CANTEEN}.items():
        document = create_document(
            category=category, stream=io.BytesIO(text.encode()), filename=name
        )
        index_document(document.pk)
    return category


def inspect(client, category, question: str = "Combien de jours de télétravail ?", **params):
    return client.get(INSPECTOR_URL, {"question": question, "category": category.pk, **params})


def test_each_mode_ranks_the_passages_with_their_scores_and_time(category):
    inspection = inspect_retrieval(
        question="jours de télétravail", category_ids=[category.pk], limit=2
    )

    assert [ranking.mode for ranking in inspection.rankings] == [
        Mode.HYBRID,
        Mode.DENSE,
        Mode.BM25,
    ]
    for ranking in inspection.rankings:
        assert not ranking.error
        assert ranking.passages[0].result.filename == "teletravail.txt"
        assert ranking.passages[0].rank == 1
        assert ranking.milliseconds >= 0
        assert ranking.reranker == "Cassandre" and not ranking.fallback
    hybrid = inspection.rankings[0]
    (canteen,) = hybrid.dropped
    assert canteen.result.filename == "cantine.txt" and canteen.rank == 2
    assert canteen.result.score < inspection.default_threshold <= hybrid.passages[0].result.score


def test_the_page_shows_the_scores_the_reranker_and_the_dropped_candidates(admin_client, category):
    page = inspect(admin_client, category, "jours de télétravail").content.decode()

    assert 'data-testid="reranker"' in page and "Cassandre" in page
    assert 'data-testid="dropped"' in page and "cantine" in page


def test_the_searched_query_spells_the_glossary_out(category):
    GlossaryEntry.objects.create(category=None, abbreviation="TT", expansion="télétravail")

    inspection = inspect_retrieval(question="jours de TT", category_ids=[category.pk])

    assert inspection.query == "jours de TT (télétravail)"
    assert inspection.limit == category.k


def test_a_document_out_of_force_is_inspected_only_when_asked_for(admin_client, category):
    Document.objects.filter(original_filename="teletravail.txt").update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )

    default = inspect(admin_client, category, "télétravail", mode="bm25").content.decode()
    included = inspect(
        admin_client, category, "télétravail", mode="bm25", include_out_of_force="on"
    ).content.decode()

    assert 'data-testid="include-out-of-force"' in default
    assert "teletravail" not in default and 'data-testid="out-of-force-included"' not in default
    assert "<mark>télétravail</mark>" in included
    assert 'data-testid="out-of-force-included"' in included


def test_a_passage_links_to_the_document_viewer_on_its_page_and_passage(category):
    [ranking] = inspect_retrieval(
        question="télétravail", category_ids=[category.pk], limit=1, modes=[Mode.BM25]
    ).rankings
    [passage] = ranking.passages
    document = Document.objects.get(original_filename="teletravail.txt")

    assert passage.url.startswith(f"/documents/{document.pk}/?")
    assert f"passage={passage.result.id}" in passage.url


def test_staff_see_the_three_modes_side_by_side(admin_client, category):
    page = inspect(admin_client, category).content.decode()

    for mode in ["hybrid", "dense", "bm25"]:
        assert f'data-testid="mode-{mode}"' in page
    assert page.count('data-testid="passage"') >= 3
    assert "<mark>télétravail</mark>" in page
    assert 'data-testid="timing"' in page


def test_one_mode_can_be_inspected_alone(admin_client, category):
    page = inspect(admin_client, category, mode="bm25", k=1).content.decode()

    assert 'data-testid="mode-bm25"' in page and 'data-testid="mode-hybrid"' not in page
    assert page.count('data-testid="passage"') == 1


def test_an_unreachable_vector_store_is_a_message_not_an_error(admin_client, category, settings):
    settings.QDRANT_URL = f"http://127.0.0.1:{free_port()}"
    settings.QDRANT_TIMEOUT = 1

    response = inspect(admin_client, category)

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="search-error"') == 3
    assert "ne répond pas" in response.content.decode()


def test_bm25_still_answers_when_the_embedding_model_is_down(category, monkeypatch):
    def unavailable(*args, **kwargs):
        raise EmbeddingUnavailable("connexion refusée")

    monkeypatch.setattr(
        "ai.retrieval.get_embedder", lambda: type("Down", (), {"embed": unavailable})()
    )

    hybrid, dense, bm25 = inspect_retrieval(
        question="télétravail", category_ids=[category.pk]
    ).rankings

    assert "modèle d'embeddings" in hybrid.error and "modèle d'embeddings" in dense.error
    assert not bm25.error and bm25.passages


def test_the_category_choice_offers_the_categories_the_user_reads(admin_client, category):
    page = admin_client.get(INSPECTOR_URL).content.decode()

    assert f'<option value="{category.pk}">Ressources humaines</option>' in page
    assert 'data-testid="mode-hybrid"' not in page


@pytest.mark.django_db(transaction=True)
def test_the_inspector_shows_exactly_the_passages_the_chat_searched(settings):
    """One route from a question to passages: same query (anonymised, glossary applied),
    same k, same thresholds, same ranking."""
    settings.LLM_PROVIDER = "extractive"
    category = CategoryFactory(name="Ressources humaines", k=3, relevance_threshold=0.05)
    GlossaryEntry.objects.create(category=category, abbreviation="TT", expansion="télétravail")
    texts = {
        "teletravail.txt": TELEWORK,
        "cantine.txt": CANTEEN,
        "conges.txt": "Les congés annuels sont de cinq semaines ; le télétravail n'y change rien.",
        "frais.txt": "Les frais de déplacement des agents en télétravail ne sont pas remboursés.",
        "badge.txt": "Le badge d'accès est rendu au départ de l'agent.",
    }
    for name, text in texts.items():
        document = create_document(
            category=category, stream=io.BytesIO(text.encode()), filename=name
        )
        index_document(document.pk)
    user = UserFactory(is_staff=True)
    question = "Bonjour, je suis Marie Dupont : combien de jours de TT par semaine ?"

    chat = async_to_sync(_sources)(user_id=user.pk, question=question, category_slug=category.slug)
    inspection = inspect_retrieval(question=question, category_ids=[category.pk])

    (hybrid,) = [ranking for ranking in inspection.rankings if ranking.mode == Mode.HYBRID]
    assert "Dupont" not in chat.question and "Dupont" not in inspection.query
    assert "télétravail" in inspection.query
    assert [source["id"] for source in chat.sources] == [p.result.id for p in hybrid.passages]
    assert 1 <= len(hybrid.passages) <= inspection.limit == 3


async def _sources(**question) -> Sources:
    async for event in answer_question(**question):
        if isinstance(event, Sources):
            return event
    raise AssertionError("no sources")
