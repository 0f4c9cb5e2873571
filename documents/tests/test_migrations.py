"""Data migrations, run on a real database between the states they join."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("documents", "0010_category_rerank_model")
AFTER = ("documents", "0011_relevance_threshold_calibrated")


@pytest.mark.django_db(transaction=True)
def test_thresholds_on_the_former_scale_are_cleared_for_the_site_default():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps.get_model("documents", "Category")
    old.objects.create(name="RH", slug="rh", relevance_threshold=0.4)
    old.objects.create(name="Paie", slug="paie")

    executor.loader.build_graph()
    executor.migrate([AFTER])

    new = executor.loader.project_state([AFTER]).apps.get_model("documents", "Category")
    assert list(new.objects.values_list("relevance_threshold", flat=True)) == [None, None]
