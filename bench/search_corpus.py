"""Search latency at scale: a store of synthetic passages behind the real search API.

`scripts/measure_search_latency.py` drives it: it seeds a scratch deployment with
`seed_search_corpus`, starts `manage.py serve` on it and times HTTP requests.
"""

import random
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from ai.passages import Passage, store_passages
from documents.models import Category, Document
from testing.sample_corpus import SENTENCES, TOPICS

CATEGORY_NAME = "Banc d'essai recherche"


GENERATION = "latency-bench"


def _passages(
    count: int, *, category_id: int, document_ids: list[int], seed: int
) -> Iterator[Passage]:
    rng = random.Random(seed)
    subjects = [subject for subjects in TOPICS.values() for subject in subjects]
    for number in range(count):
        subject = rng.choice(subjects)
        text = " ".join(
            rng.choice(SENTENCES).format(
                sujet=subject, n=rng.randint(2, 60), annee=rng.randint(2015, 2026)
            )
            for _ in range(8)
        )
        yield Passage(
            key=f"latency:{number}",
            embed_text=text,
            payload={
                "kind": "document",
                "category_id": category_id,
                "document_id": document_ids[number // 10],
                "generation": GENERATION,
                "title": f"Guide {number // 10 + 1}",
                "filename": f"guide-{number // 10 + 1}.pdf",
                "page": number % 10 + 1,
                "heading": subject,
                "position": number % 10,
                "text": text,
            },
        )


def _documents(category: Category, *, count: int) -> list[int]:
    """Rows that say the passages are searchable (`Document.index_generation`), created
    without the signals: they have no file to index."""
    created = Document.objects.bulk_create(
        Document(
            category=category,
            file=f"bench/guide-{number}.pdf",
            title=f"Guide {number}",
            status=Document.Status.INDEXED,
            index_generation=GENERATION,
        )
        for number in range(1, count + 1)
    )
    return [document.pk for document in created]


def seed_search_corpus(*, chunks: int, seed: int = 7) -> str:
    """Write `chunks` passages in one category; return an API token of a staff user."""
    category, _ = Category.objects.get_or_create(name=CATEGORY_NAME)
    store_passages(
        list(
            _passages(
                chunks,
                category_id=category.pk,
                document_ids=_documents(category, count=(chunks + 9) // 10),
                seed=seed,
            )
        )
    )
    user, _ = get_user_model().objects.get_or_create(
        username="latency-bench", defaults={"is_staff": True}
    )
    token, _ = Token.objects.get_or_create(user=user)
    return f"{category.slug} {token.key}"
