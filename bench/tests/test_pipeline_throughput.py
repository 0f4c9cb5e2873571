import pytest

from bench.pipeline_throughput import measure_ingestion
from documents.models import Category, Document

pytestmark = pytest.mark.django_db


def test_the_ingestion_benchmark_measures_both_figures_and_leaves_nothing_behind():
    result = measure_ingestion(count=4, rounds=1)
    assert result.documents == 4
    assert result.chunks >= 4
    assert result.raw_chunks_per_second > 0 and result.pipeline_chunks_per_second > 0
    assert not Category.objects.exists() and not Document.objects.exists()
    assert len(result.ratios) == len(result.one_slot_ratios) == 1
