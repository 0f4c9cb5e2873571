"""The soak test: a real Cassandre under concurrent searches, chats and uploads for a while.

It checks that nothing fails (every HTTP answer 2xx, every question ends with `done`),
that no document is lost (each upload ends indexed, or failed with a reason when it was
built to fail) and that memory stays bounded (VmRSS of the server, and of the worker when
it is a process of its own, after the warm-up against the end).

    from bench.soak import SoakOptions, run_soak
    report = run_soak(SoakOptions(seconds=60))

`scripts/soak.py` is its command line; `bench/tests/e2e/test_soak.py` runs a short one.
Nothing here imports Django: the soak drives the deployment from outside, over HTTP.
"""

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.soak.deployment import Deployment, DeploymentOptions, SetupFailed
from bench.soak.load import Load, check_findable, run_load, warm_up
from bench.soak.memory import Sampler, mark_all
from bench.soak.report import SoakReport, format_report

__all__ = ["DeploymentOptions", "SetupFailed", "SoakOptions", "format_report", "run_soak"]

SETTLE_SECONDS = 1.0  # before a memory reading: let freed buffers go back


@dataclass(frozen=True)
class SoakOptions:
    seconds: float = 60.0
    searchers: int = 2
    chatters: int = 2
    uploaders: int = 1
    # After `seconds`, how long the last uploads have to finish before they count as lost.
    drain_seconds: float = 120.0
    max_rss_growth_mb: float | None = 300.0
    keep_folder: bool = False
    deployment: DeploymentOptions = field(default_factory=DeploymentOptions)


def run_soak(options: SoakOptions, *, say: Callable[[str], None] = print) -> SoakReport:
    """Build a scratch deployment, warm it up, load it for `options.seconds`, report."""
    folder = Path(tempfile.mkdtemp(prefix="cassandre-soak-"))
    try:
        with Deployment(options.deployment, folder, say=say) as deployment:
            return _soak(deployment, options, say)
    finally:
        if options.keep_folder:
            say(f"Deployment folder kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _soak(deployment: Deployment, options: SoakOptions, say: Callable[[str], None]) -> SoakReport:
    target = deployment.target
    traces = deployment.traces()
    mark_all(traces, "launch")
    load = Load(options.searchers, options.chatters, options.uploaders)
    asyncio.run(warm_up(load, target, drain_seconds=options.drain_seconds))
    time.sleep(SETTLE_SECONDS)
    mark_all(traces, "start")
    say(f"Warm; soaking for {options.seconds:.0f} s on {deployment.base_url} ({deployment.mode}).")
    with Sampler(traces):
        asyncio.run(
            run_load(load, target, seconds=options.seconds, drain_seconds=options.drain_seconds)
        )
        if deployment.uploads_searchable:
            asyncio.run(check_findable(target, load.documents, load.recorder))
        time.sleep(SETTLE_SECONDS)
        mark_all(traces, "end")
    report = SoakReport(
        mode=deployment.mode,
        model=deployment.model_name,
        seconds=options.seconds,
        searchers=options.searchers,
        chatters=options.chatters,
        uploaders=options.uploaders,
        recorder=load.recorder,
        documents=load.documents,
        traces=traces,
        uploads_searched=deployment.uploads_searchable,
        max_rss_growth_mb=options.max_rss_growth_mb,
    )
    if not report.passed:
        report.log_tail = deployment.log_tail()
    return report
