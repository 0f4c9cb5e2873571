import pytest

from ai.passages import Passage, store_passages
from chat.search import find_passages, plan_search
from documents.tests.factories import CategoryFactory, IndexedDocumentFactory, searched_as

pytestmark = pytest.mark.django_db


def test_questions_are_searched_without_personal_data_and_with_abbreviations_spelled_out():
    question = "Bonjour, je suis Marie Dupont (06 12 34 56 78), quel montant pour le SFT ?"
    prepared = plan_search(question, category_ids=None).query
    assert "Dupont" not in prepared and "06 12 34 56 78" not in prepared
    assert "SFT (supplément familial de traitement)" in prepared


def test_personal_data_is_kept_when_anonymisation_is_off(settings):
    settings.ANONYMIZE_QUESTIONS = False
    assert plan_search("Appeler le 06 12 34 56 78", category_ids=None).query == (
        "Appeler le 06 12 34 56 78"
    )


def test_an_abbreviation_finds_the_passage_that_spells_it_out():
    category = CategoryFactory()
    allowance, leave = (
        IndexedDocumentFactory(category=category),
        IndexedDocumentFactory(category=category),
    )
    store_passages(
        [
            Passage(
                key=f"sft:{document.pk}",
                embed_text=text,
                payload={**searched_as(document), "text": text},
            )
            for document, text in zip(
                [allowance, leave],
                [
                    "Le supplément familial de traitement est versé aux agents ayant un enfant.",
                    "Les congés bonifiés sont accordés tous les deux ans.",
                ],
                strict=True,
            )
        ]
    )
    (best, *_) = find_passages("montant du sft", category_ids=[category.pk], limit=2)
    assert best.document_id == allowance.pk


def test_the_category_relevance_threshold_applies_to_searches():
    category = CategoryFactory(relevance_threshold=0.99)
    text = "Le télétravail est autorisé deux jours par semaine."
    store_passages(
        [Passage(key="t:1", embed_text=text, payload={"category_id": category.pk, "text": text})]
    )
    (closest,) = find_passages("cantine scolaire", category_ids=[category.pk])
    assert not closest.relevant and closest.score < 0.99
