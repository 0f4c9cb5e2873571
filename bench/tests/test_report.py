import json
from fnmatch import fnmatch

import pytest

from bench.real_services import deployment_mode
from bench.report import (
    check_targets,
    ingestion_ratios,
    markdown_report,
    repeated_figures,
    repeated_report,
    results_name,
    write_results,
)


def latencies(p50: float, p95: float, *, per_second: float = 10.0) -> dict:
    return {
        "count": 100,
        "p50": p50,
        "p95": p95,
        "p99": p95 + 5,
        "mean": p50,
        "max": p95 + 10,
        "per_second": per_second,
    }


def throughput(documents: int, chunks: int, seconds: float) -> dict:
    return {
        "documents": documents,
        "chunks": chunks,
        "seconds": seconds,
        "failed": 0,
        "documents_per_second": documents / seconds,
        "chunks_per_second": chunks / seconds,
    }


def chat_level(overhead_p50: float, *, conversations: int = 16, spread: float = 0.8) -> dict:
    return {
        "conversations": conversations,
        "start_spread_s": spread,
        "answers": 48,
        "answers_per_second": 3.0,
        "first_token": latencies(200 + overhead_p50, 300),
        "first_token_overhead": latencies(overhead_p50, 100),
        "total": latencies(900, 1000),
        "total_overhead": latencies(overhead_p50 + 10, 120),
        "server_overhead": latencies(overhead_p50 - 5, 90),
    }


@pytest.fixture
def results() -> dict:
    return {
        "date": "2026-11-26T04:00:00+00:00",
        "size": "M",
        "machine": {"cpus": 2, "load_average_at_start": [1.5, 1.0, 0.5]},
        "corpus": {"documents": 2000, "bytes": 30_000_000, "seed": 1, "digest": "ab" * 32},
        "model": {"first_token_ms": 200, "token_ms": 10, "total_ms": 780},
        "ingestion": {
            "cassandre": throughput(2000, 18000, 300),  # 60 chunks/s
            "raw_embedding": throughput(2000, 18000, 240),  # 75 chunks/s
            "langchain": throughput(2000, 21000, 500),
        },
        "search": {
            "api_1": latencies(20, 40),
            "api_16": latencies(60, 120, per_second=90),
            "store_1": latencies(2, 4),
            "store_16": latencies(5, 10, per_second=800),
        },
        "chat": {
            "1": chat_level(30, conversations=1),
            "16": chat_level(120),
            "64": chat_level(140, conversations=64),
            "16 burst": chat_level(250, spread=0),
        },
        "memory_peak_mb": {
            "embedded_process_during_ingestion": 900.0,
            "embedded_process_during_search": 700.0,
            "embedded_process_during_chat": 720.0,
        },
    }


def test_ingestion_is_compared_in_chunks_with_the_raw_model_and_in_documents_with_langchain(
    results,
):
    ratios = ingestion_ratios(results)
    assert ratios["vs_raw"] == pytest.approx(0.8)
    assert ratios["vs_langchain"] == pytest.approx(500 / 300)


def test_targets_are_checked_against_the_scale_goals(results):
    checks = {check.name: check for check in check_targets(results)}
    assert checks["ingestion / raw embedding"].met is False  # 0.8 < 0.9
    assert checks["ingestion / LangChain"].met is True
    assert checks["search p95, 1 client (ms)"].met is False  # 40 ms, 30 at most
    assert checks["search, 16 clients: req/s / the store's q/s"].value == pytest.approx(90 / 800)
    assert checks["search p95, 16 clients (ms)"].met is True
    assert checks["chat first-token overhead p50, 64 conversations (ms)"].met is True
    assert checks["chat first-token overhead p95, 64 conversations (ms)"].met is True
    assert checks["peak RSS, one process (MB)"].met is False  # 900 MB while ingesting


def test_a_target_met_is_reported_as_met(results):
    results["search"]["api_1"] = latencies(20, 25)
    results["ingestion"]["cassandre"] = throughput(2000, 18000, 250)
    checks = {check.name: check.met for check in check_targets(results)}
    assert checks["search p95, 1 client (ms)"] is True
    assert checks["ingestion / raw embedding"] is True


def test_the_targets_of_size_m_do_not_apply_at_s(results):
    results["size"] = "S"
    checks = {check.name: check for check in check_targets(results)}
    assert checks["search p95, 1 client (ms)"].met is None
    assert checks["ingestion / LangChain"].met is None
    assert checks["peak RSS, one process (MB)"].met is None
    assert checks["ingestion / raw embedding"].met is False
    assert checks["search p95, 1 client (ms)"].goal == "< 30 at M"


def test_the_markdown_table_shows_each_figure_beside_its_reference(results):
    report = markdown_report(results)
    assert "| ingestion, upload → indexed | 6.67 docs/s, 60.0 chunks/s" in report
    assert "raw embedding, same passages: 8.33 docs/s, 75.0 chunks/s" in report
    assert "| search p50/p95/p99, 16 clients | 60.0 / 120.0 / 125.0 ms, 90 req/s" in report
    assert "overhead p50 120 / p95 100 ms" in report
    assert "| chat whole answer, 16 conversations | p50 900 / p95 1000 ms, 3.0 answers/s" in report
    assert "| chat first token, 16 conversations, all asking at the same instant |" in report
    assert "| chat first token, 1 conversation |" in report
    assert "ingestion 900 MB" in report


@pytest.fixture
def scaled(results) -> dict:
    """Results at L: M's ingestion without its references, then a store of copies searched in
    one category and across every category."""
    results["size"] = "L"
    results["ingestion"] = {"cassandre": results["ingestion"]["cassandre"]}
    results["scale"] = {
        "base": "M",
        "passages_wanted": 200_000,
        "copies": 11,
        "documents_copied": 22_000,
        "store_passages": 202_356,
        "copy_seconds": 600.0,
        "ingestion_references": "not measured at L: M's ingestion copied",
    }
    results["search_all_categories"] = {
        "api_1": latencies(35, 48),
        "api_16": latencies(90, 150, per_second=60),
        "store_1": latencies(8, 12),
        "store_16": latencies(20, 30, per_second=300),
    }
    results["chat_all_categories"] = {"16": chat_level(140)}
    return results


def test_at_a_scaled_size_the_ingestion_targets_are_not_measured(scaled):
    checks = {check.name: check for check in check_targets(scaled)}
    assert ingestion_ratios(scaled) is None
    assert checks["ingestion / raw embedding"].met is None
    assert checks["ingestion / LangChain"].value is None
    assert checks["search p95, 1 client (ms)"].met is None


def test_the_scaled_table_says_how_the_store_was_built_and_shows_both_scopes(scaled):
    report = markdown_report(scaled)
    assert "copied 11 times into new categories" in report
    assert "the store holds 202356 passages" in report
    assert "| ingestion of the base corpus, upload → indexed | 6.67 docs/s" in report
    assert "| search p50/p95/p99, 1 client | 20.0 / 40.0 / 45.0 ms" in report
    assert "| search p50/p95/p99, 1 client, every category | 35.0 / 48.0 / 53.0 ms" in report
    assert "| chat first token, 16 conversations, every category |" in report
    assert "| ingestion / raw embedding | — | >= 0.9 at S, M | n/a at this size |" in report


def test_repeated_scaled_runs_sum_up_both_search_scopes_without_ingestion_ratios(scaled):
    figures = repeated_figures(scaled)
    assert "ingestion / raw embedding" not in figures
    assert figures["search p95, 1 client, every category (ms)"] == 48


def test_the_results_file_is_named_after_the_date_and_size(results, tmp_path):
    path = write_results(results, folder=tmp_path / "results")
    assert path.name == "2026-11-26-M.json"
    assert json.loads(path.read_text())["ingestion"]["cassandre"]["chunks"] == 18000


def test_repeated_runs_give_each_figure_s_median_and_range(results):
    slower = json.loads(json.dumps(results))
    slower["ingestion"]["cassandre"] = throughput(2000, 18000, 400)
    slower["search"]["api_1"] = latencies(25, 60)
    faster = json.loads(json.dumps(results))
    faster["search"]["api_1"] = latencies(15, 30)

    figures = repeated_figures(results)
    table = repeated_report([slower, results, faster])

    assert figures["ingestion / raw embedding"] == pytest.approx(0.8)
    assert figures["search req/s, concurrent clients / store's own q/s"] == pytest.approx(90 / 800)
    assert figures["chat first-token overhead p50, 16 (ms)"] == 120
    assert "| search p95, 1 client (ms) | 40.00 (30.00-60.00) |" in table
    assert "| ingestion / raw embedding | 0.80 (0.60-0.80) |" in table


def test_one_of_several_runs_is_written_under_its_number(results, tmp_path):
    path = write_results(results, folder=tmp_path, run=2)

    assert path.name == "2026-11-26-M-run2.json"


def test_a_real_services_run_is_written_apart_from_the_embedded_ones(results, tmp_path):
    results["mode"] = deployment_mode({"DB_HOST": "127.0.0.1", "DB_NAME": "bench_cassandre_1"})

    assert write_results(results, folder=tmp_path).name == "2026-11-26-M-real.json"
    assert write_results(results, folder=tmp_path, run=3).name == "2026-11-26-M-real-run3.json"


def test_the_name_of_one_run_s_file_is_also_the_pattern_to_find_it():
    pattern = results_name(date="*", size="S", real_services=True, run=2)

    assert fnmatch("2026-12-07-S-real-run2.json", pattern)
    assert not fnmatch("2026-12-07-S-run2.json", pattern)
    assert not fnmatch("2026-12-07-S-real-run12.json", pattern)


def test_the_report_says_which_services_the_deployment_ran_on(results):
    embedded = markdown_report(results)
    results["mode"] = deployment_mode({"DB_HOST": "127.0.0.1", "DB_NAME": "bench_cassandre_1"})
    real = markdown_report(results)

    assert "Mode: embedded — database: SQLite;" in embedded
    assert "Mode: real services — database: PostgreSQL, database bench_cassandre_1;" in real
    assert repeated_report([results]).startswith("## 1 runs, size M, real services:")
