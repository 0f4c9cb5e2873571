"""The search benchmark's corpus: synthetic passages the product's own search route finds."""

import pytest

from bench.search_corpus import CATEGORY_NAME, seed_search_corpus
from chat.search import find_passages
from documents.models import Category

pytestmark = pytest.mark.django_db


def test_the_seeded_passages_are_found_by_the_search_route():
    seed_search_corpus(chunks=30)

    category = Category.objects.get(name=CATEGORY_NAME)
    results = find_passages("congés annuels", category_ids=[category.pk], limit=3)
    assert len(results) == 3
    assert {result.title for result in results} <= {"Guide 1", "Guide 2", "Guide 3"}
