"""Data migrations, run on a real database between the states they join."""

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("documents", "0010_category_rerank_model")
AFTER = ("documents", "0011_relevance_threshold_calibrated")


@pytest.fixture
def executor(transactional_db) -> Iterator[MigrationExecutor]:
    """Migrations to run by hand; the database is left migrated to the latest ones, as the
    tests after these expect it."""
    yield MigrationExecutor(connection)
    latest = MigrationExecutor(connection)
    latest.migrate(latest.loader.graph.leaf_nodes())


def test_thresholds_on_the_former_scale_are_cleared_for_the_site_default(executor):
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("documents", "Category")
    old.objects.create(name="RH", slug="rh", relevance_threshold=0.4)
    old.objects.create(name="Paie", slug="paie")

    executor.loader.build_graph()
    executor.migrate([AFTER])

    new = executor.loader.project_state([AFTER]).apps.get_model("documents", "Category")
    assert list(new.objects.values_list("relevance_threshold", flat=True)) == [None, None]
