"""A short soak of the embedded app, as a user runs it: one `manage.py serve` process (web,
in-process worker, Qdrant Edge) answering searches, streamed chats and uploads at once.
`make soak` runs the same for longer, and `scripts/soak.py --real-services` on PostgreSQL,
Redis and a separate worker."""

import pytest

from bench.soak import DeploymentOptions, SoakOptions, format_report, run_soak

# How much the server's VmRSS may grow from after the warm-up (embedding model loaded, stores
# open: ~170 MB over the launch) to the end. Measured on this 2-core machine: +9 to +19 MB
# over 20 to 120 s, some of it the vector store growing with each upload. 300 MB tolerates
# another allocator or machine, and still catches the gross leaks: the embedding model or the
# vector store loaded again per request or per connection (most of those ~170 MB). Slow
# leaks are for `make soak`, whose report gives the RSS slope over the second half.
MAX_RSS_GROWTH_MB = 300


@pytest.mark.timeout(150)
def test_under_concurrent_load_nothing_fails_nothing_is_lost_memory_stays_bounded():
    report = run_soak(
        SoakOptions(
            seconds=20,
            searchers=2,
            chatters=2,
            uploaders=1,
            drain_seconds=30,
            max_rss_growth_mb=MAX_RSS_GROWTH_MB,
            # Few seed documents: indexing them is most of the set-up time.
            deployment=DeploymentOptions(seed_documents=4),
        ),
        say=lambda line: None,
    )

    summary = format_report(report) + "\n" + report.log_tail
    assert report.errors == 0, summary
    assert report.lost == [], summary
    assert report.unexpected == [], summary
    # Every kind of work really happened: a soak that did nothing would pass too.
    for kind in ("search API", "search page", "chat", "upload", "indexing (upload to end)"):
        assert report.recorder.durations[kind], f"no {kind} succeeded\n{summary}"
    assert any(document.designed_to_fail for document in report.documents), summary
    (server,) = report.traces
    assert report.rss_growth_mb(server) < MAX_RSS_GROWTH_MB, summary
