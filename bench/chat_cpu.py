"""Processor per answer of the serving process: one frame per token against joined tokens,
or an earlier checkout's code against this one's.

Two scratch embedded deployments, served side by side: by default one with
`CHAT_TOKEN_FLUSH_MS=0` (one websocket frame per token, the reference) and one with the
default window; with `--baseline PATH`, the code of the checkout PATH (a worktree of an
earlier commit: `git worktree add /tmp/before <commit>`) and this checkout's, both on their
defaults and this checkout's Python. Their language model is `bench.model_server` (first
token after 200 ms, then a word every 10 ms). Each round asks both, one after the other, the
same questions one at a time on one websocket, and reads the serving process's user +
system time (/proc/<pid>/stat) before and after: milliseconds of processor per answer,
whatever the machine's load adds to the wall clock. Prints each round and the median
(min-max) of each and of their ratio.

    .venv/bin/python -m bench.chat_cpu [--rounds 3] [--questions 40] [--documents 1]
        [--baseline PATH]
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.deployment import ModelLatency, model_server, serving
from bench.soak.load import QUESTION_SHAPES, Target
from testing.processes import BASE_DIR
from testing.sample_corpus import TOPICS

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
# The deployment seeds one document of the sample corpus, on training: questions on it are
# answered by the model (others get « nothing found », which asks no model).
SUBJECTS = TOPICS["formation"]
FRAMES = {
    "one frame per token": (BASE_DIR, {"CHAT_TOKEN_FLUSH_MS": "0"}),
    "joined tokens (default)": (BASE_DIR, {}),
}


def cpu_ms(pid: int) -> float:
    """The process's user + system time so far, in milliseconds."""
    # The command's name, in parentheses, may hold spaces: the fields start after it.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICKS_PER_SECOND


async def ask_in_turn(target: Target, questions: Sequence[str]) -> list[str]:
    """Ask `questions` one after the other on one websocket; those the model answered."""
    generated = []
    async with target.chat_websocket(max_size=None) as websocket:
        for number, question in enumerate(questions):
            ask = {"type": "ask", "id": number, "question": question, "category": target.category}
            await websocket.send(json.dumps(ask))
            while (message := json.loads(await websocket.recv()))["type"] not in ("done", "error"):
                pass
            if message["type"] == "error":
                raise RuntimeError(f"{question!r}: {message['message']}")
            if message["outcome"] == "generated":
                generated.append(question)
    return generated


def cpu_per_answer(target: Target, pid: int, questions: Sequence[str]) -> float:
    before = cpu_ms(pid)
    if len(asyncio.run(ask_in_turn(target, questions))) < len(questions):
        raise RuntimeError("Some questions were not answered by the model.")
    return (cpu_ms(pid) - before) / len(questions)


def candidate_questions() -> list[str]:
    return [shape.format(s=subject) for shape in QUESTION_SHAPES for subject in SUBJECTS]


def summary(values: list[float], places: int = 1) -> str:
    median, low, high = statistics.median(values), min(values), max(values)
    return f"{median:.{places}f} ({low:.{places}f}-{high:.{places}f})"


def variants(baseline: Path | None) -> dict[str, tuple[Path, dict[str, str]]]:
    """What is compared, reference first: name → (the checkout served, its settings)."""
    if baseline is None:
        return FRAMES
    return {f"baseline ({baseline})": (baseline, {}), "this checkout": (BASE_DIR, {})}


def main(rounds: int, count: int, *, documents: int, baseline: Path | None) -> None:
    candidates = candidate_questions()
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="chat-cpu-")))
        model_url = stack.enter_context(model_server(ModelLatency(200, 10)))
        served = {
            name: stack.enter_context(
                serving(
                    folder / str(number),
                    model_url=model_url,
                    extra_env=settings,
                    documents=documents,
                    code_dir=code_dir,
                )
            )
            for number, (name, (code_dir, settings)) in enumerate(variants(baseline).items())
        }
        # The warm-up keeps the questions the model answers: only those are measured.
        answered = [
            set(asyncio.run(ask_in_turn(deployment.target, candidates)))
            for deployment in served.values()
        ]
        kept = sorted(set.intersection(*answered))
        if not kept:
            raise RuntimeError("The model answered none of the questions.")
        asked = [kept[number % len(kept)] for number in range(count)]
        print(f"{len(kept)} questions answered by the model, asked in turn.", flush=True)
        print(f"Load average at start: {os.getloadavg()}", flush=True)
        figures: dict[str, list[float]] = {name: [] for name in served}
        for number in range(1, rounds + 1):
            for name, deployment in served.items():
                ms = cpu_per_answer(deployment.target, deployment.server.pid, asked)
                figures[name].append(ms)
                print(f"round {number}, {name}: {ms:.1f} ms per answer", flush=True)
    reference, measured = figures.values()
    print(f"Load average at end: {os.getloadavg()}")
    for name, values in figures.items():
        print(f"{name}: {summary(values)} ms of processor per answer")
    ratios = [after / before for before, after in zip(reference, measured, strict=True)]
    print(f"ratio: {summary(ratios, places=2)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument(
        "--documents", type=int, default=1, help="Sample documents each deployment holds."
    )
    parser.add_argument(
        "--baseline", type=Path, default=None, help="Another checkout, measured against this one."
    )
    arguments = parser.parse_args()
    main(
        arguments.rounds,
        arguments.questions,
        documents=arguments.documents,
        baseline=arguments.baseline,
    )
