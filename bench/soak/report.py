"""What a soak found, and the summary table printed at its end."""

from dataclasses import dataclass

from bench.soak.load import Recorder, UploadedDocument
from bench.soak.memory import Trace

KINDS = [
    "search API",
    "search page",
    "chat",
    "chat first token",
    "upload",
    "document poll",
    "indexing (upload to end)",
    "upload found by search",
]
SHOWN_ERRORS = 10  # per kind: the first ones say enough


@dataclass
class SoakReport:
    mode: str
    model: str
    seconds: float
    searchers: int
    chatters: int
    uploaders: int
    recorder: Recorder
    documents: list[UploadedDocument]
    traces: list[Trace]
    uploads_searched: bool  # whether each indexed upload was looked for by search
    max_rss_growth_mb: float | None
    log_tail: str = ""

    @property
    def errors(self) -> int:
        return self.recorder.error_count

    @property
    def lost(self) -> list[UploadedDocument]:
        """Never finished, or indexed yet not found by a search for its own word."""
        return [
            document
            for document in self.documents
            if not document.finished or document.findable is False
        ]

    @property
    def unexpected(self) -> list[UploadedDocument]:
        """Finished, but not as designed: a readable file failed, a broken one was indexed,
        or a failure gave no reason."""
        return [
            document
            for document in self.documents
            if document.finished
            and (
                (document.status == "failed") != document.designed_to_fail
                or (document.status == "failed" and not document.error_message.strip())
            )
        ]

    def rss_growth_mb(self, trace: Trace) -> float | None:
        if "start" not in trace.marks or "end" not in trace.marks:
            return None
        return (trace.marks["end"].rss_kb - trace.marks["start"].rss_kb) / 1024

    @property
    def memory_exceeded(self) -> list[str]:
        if self.max_rss_growth_mb is None:
            return []
        return [
            trace.name
            for trace in self.traces
            if (growth := self.rss_growth_mb(trace)) is None or growth > self.max_rss_growth_mb
        ]

    @property
    def passed(self) -> bool:
        return not (self.errors or self.lost or self.unexpected or self.memory_exceeded)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _megabytes(kilobytes: int | None) -> str:
    return "-" if kilobytes is None else f"{kilobytes / 1024:.0f} MB"


def format_report(report: SoakReport) -> str:
    lines = [
        f"Soak of {report.seconds:.0f} s: {report.searchers} searcher(s), "
        f"{report.chatters} chatter(s), {report.uploaders} uploader(s)",
        f"  deployment: {report.mode}",
        f"  answers:    {report.model}",
        "",
        f"{'kind':<26} {'requests':>9} {'errors':>7} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}",
    ]
    recorder = report.recorder
    kinds = KINDS + sorted((set(recorder.durations) | set(recorder.errors)) - set(KINDS))
    for kind in kinds:
        durations, errors = recorder.durations.get(kind, []), recorder.errors.get(kind, [])
        if not durations and not errors:
            continue
        timing = (
            f"{percentile(durations, 0.5):9.1f} {percentile(durations, 0.95):9.1f} "
            f"{max(durations):9.1f}"
            if durations
            else f"{'-':>9} {'-':>9} {'-':>9}"
        )
        lines.append(f"{kind:<26} {len(durations) + len(errors):9d} {len(errors):7d} {timing}")
    lines += ["", _documents_line(report)]
    reasons = sorted({d.error_message for d in report.documents if d.status == "failed"})
    lines += [f"  failed because: {reason}" for reason in reasons[:3]]
    lines += ["", _memory_table(report)]
    for kind, details in recorder.errors.items():
        lines.append(f"\nErrors, {kind} ({len(details)}):")
        lines += [f"  - {detail}" for detail in details[:SHOWN_ERRORS]]
    for title, documents in (("Lost", report.lost), ("Unexpected outcome", report.unexpected)):
        if documents:
            lines.append(f"\n{title} ({len(documents)}):")
            lines += [
                f"  - #{d.id} {d.filename}: {d.status}, findable={d.findable}, "
                f"designed to fail={d.designed_to_fail}, reason={d.error_message!r}"
                for d in documents[:SHOWN_ERRORS]
            ]
    lines.append("")
    lines.append("PASS" if report.passed else f"FAIL: {_failure_summary(report)}")
    return "\n".join(lines)


def _documents_line(report: SoakReport) -> str:
    documents = report.documents
    indexed = [d for d in documents if d.status == "indexed"]
    failed = [d for d in documents if d.status == "failed"]
    designed = sum(d.designed_to_fail for d in documents)
    with_reason = sum(bool(d.error_message.strip()) for d in failed)
    found = (
        f"{sum(bool(d.findable) for d in indexed)}/{len(indexed)} indexed found by search"
        if report.uploads_searched
        else "not searched (the worker has its own vector store)"
    )
    return (
        f"documents: uploaded {len(documents)} ({designed} designed to fail), "
        f"indexed {len(indexed)}, failed {len(failed)} ({with_reason} with a reason), "
        f"lost {len(report.lost)}, unexpected outcome {len(report.unexpected)}; {found}"
    )


def _memory_table(report: SoakReport) -> str:
    lines = [
        f"{'process (VmRSS)':<16} {'launch':>8} {'start':>8} {'peak':>8} {'end':>8} "
        f"{'end-start':>10} {'late MB/min':>12} {'threads':>10} "
        f"{'open files (peak)':>18}"
    ]
    for trace in report.traces:
        marks = trace.marks

        def rss(moment: str, marks=marks) -> int | None:
            return marks[moment].rss_kb if moment in marks else None

        def change(attribute: str, marks=marks) -> str:
            if "start" not in marks or "end" not in marks:
                return "-"
            return f"{getattr(marks['start'], attribute)}→{getattr(marks['end'], attribute)}"

        growth = report.rss_growth_mb(trace)
        trend = trace.late_trend_mb_per_minute()
        lines.append(
            f"{trace.name:<16} {_megabytes(rss('launch')):>8} {_megabytes(rss('start')):>8} "
            f"{_megabytes(trace.peak_rss_kb):>8} {_megabytes(rss('end')):>8} "
            f"{'-' if growth is None else f'{growth:+.0f} MB':>10} "
            f"{'-' if trend is None else f'{trend:+.1f}':>12} "
            f"{change('threads'):>10} "
            f"{change('open_files') + f' ({trace.peak_open_files})':>18}"
        )
    lines.append(
        "  launch: once healthy; start: after the warm-up (models loaded); end: once the "
        "uploads finished; late MB/min: RSS slope over the second half of the soak"
    )
    return "\n".join(lines)


def _failure_summary(report: SoakReport) -> str:
    reasons = []
    if report.errors:
        reasons.append(f"{report.errors} error(s)")
    if report.lost:
        reasons.append(f"{len(report.lost)} lost document(s)")
    if report.unexpected:
        reasons.append(f"{len(report.unexpected)} document(s) with an unexpected outcome")
    for name in report.memory_exceeded:
        reasons.append(f"{name} grew more than {report.max_rss_growth_mb:.0f} MB")
    return ", ".join(reasons)
