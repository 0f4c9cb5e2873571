"""Watching a process from outside: resident memory, threads and open files, from /proc."""

import os
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProcessState:
    rss_kb: int
    threads: int
    open_files: int
    taken_at: float  # time.monotonic()


def read_state(pid: int) -> ProcessState | None:
    """VmRSS and Threads from /proc/<pid>/status, and its open descriptors; None once gone."""
    values = {}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "Threads"):
                    values[key] = int(value.split()[0])
        open_files = len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    if "VmRSS" not in values:  # a zombie has no memory left to report
        return None
    return ProcessState(values["VmRSS"], values.get("Threads", 0), open_files, time.monotonic())


@dataclass
class Trace:
    """A process's states over time; `mark` names the moments the report compares."""

    name: str
    pid: int
    samples: list[ProcessState] = field(default_factory=list)
    marks: dict[str, ProcessState] = field(default_factory=dict)

    def sample(self) -> ProcessState | None:
        state = read_state(self.pid)
        if state is not None:
            self.samples.append(state)
        return state

    def mark(self, moment: str) -> None:
        state = self.sample()
        if state is not None:
            self.marks[moment] = state

    @property
    def peak_rss_kb(self) -> int:
        return max((state.rss_kb for state in self.samples), default=0)

    @property
    def peak_open_files(self) -> int:
        return max((state.open_files for state in self.samples), default=0)

    def late_trend_mb_per_minute(self) -> float | None:
        """The RSS slope (least squares) over the second half, from start to end.

        The first half holds the expected growth (caches filling up, the store's first
        segments); a leak is what still grows once that has settled.
        """
        if "start" not in self.marks or "end" not in self.marks:
            return None
        middle = (self.marks["start"].taken_at + self.marks["end"].taken_at) / 2
        late = [state for state in self.samples if state.taken_at >= middle]
        if len(late) < 2:
            return None
        mean_t = sum(state.taken_at for state in late) / len(late)
        mean_rss = sum(state.rss_kb for state in late) / len(late)
        spread = sum((state.taken_at - mean_t) ** 2 for state in late)
        if not spread:
            return None
        covariance = sum((state.taken_at - mean_t) * (state.rss_kb - mean_rss) for state in late)
        return covariance / spread * 60 / 1024


class Sampler:
    """Samples every trace every `interval` seconds in a daemon thread, until stopped."""

    def __init__(self, traces: list[Trace], *, interval: float = 0.5) -> None:
        self.traces = traces
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for trace in self.traces:
                trace.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def mark_all(traces: list[Trace], moment: str) -> None:
    for trace in traces:
        trace.mark(moment)
