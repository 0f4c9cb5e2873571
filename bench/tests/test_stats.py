import pytest

from bench.stats import minus, percentile, ratio, summarize


def test_percentile_is_the_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile(values, 1.0) == 100


def test_percentile_of_a_single_value_is_that_value():
    assert percentile([7.0], 0.99) == 7.0


def test_percentile_ignores_the_order_of_the_values():
    assert percentile([30, 10, 20], 0.5) == 20


def test_percentile_of_nothing_is_an_error():
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_summary_counts_requests_per_second_over_the_time_given():
    summary = summarize([10.0, 20.0, 30.0, 40.0], seconds=2.0)
    assert (summary.count, summary.p50, summary.max, summary.mean) == (4, 20.0, 40.0, 25.0)
    assert summary.per_second == 2.0


def test_summary_without_a_duration_has_no_rate():
    assert summarize([1.0]).per_second is None


def test_ratio_is_measured_over_reference():
    assert ratio(80.0, 100.0) == 0.8


def test_ratio_without_a_reference_is_none():
    assert ratio(80.0, 0.0) is None
    assert ratio(None, 100.0) is None


def test_overhead_is_what_remains_once_the_known_part_is_taken_off():
    assert minus([250.0, 210.0], 200.0) == [50.0, 10.0]
