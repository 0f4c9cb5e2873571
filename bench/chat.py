"""Chat: time to first token and to `done` over /ws/chat/, many conversations at once.

The model answers with a known latency (`bench.model_server`): Cassandre's overhead is
what the client measures minus the model's own time. The server's `timings` (its own view
of its overhead) are kept beside the client's.
"""

import asyncio
import json
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.soak.load import Target

ANSWER_TIMEOUT = 120.0


@dataclass(frozen=True)
class Answer:
    first_token_ms: float  # seen by the client, from sending the question
    total_ms: float  # to `done`
    server_timings: dict[str, int]  # `done`'s `timings`: the server's own view

    @property
    def server_overhead_ms(self) -> float:
        return float(self.server_timings["overhead_ms"])


async def converse(
    target: Target, questions: Sequence[str], *, category: str, start_after: float = 0.0
) -> list[Answer]:
    """Ask `questions` one after the other on one websocket, as a person would, the first
    `start_after` seconds after connecting."""
    answers = []
    async with target.chat_websocket(max_size=None) as websocket:
        await asyncio.sleep(start_after)
        for number, question in enumerate(questions):
            sent = time.perf_counter()
            ask = {"type": "ask", "id": number, "question": question, "category": category}
            await websocket.send(json.dumps(ask))
            first_token_ms = None
            while True:
                message = json.loads(await asyncio.wait_for(websocket.recv(), ANSWER_TIMEOUT))
                if message["type"] == "token" and first_token_ms is None:
                    first_token_ms = (time.perf_counter() - sent) * 1000
                elif message["type"] == "done":
                    break
                elif message["type"] == "error":
                    raise RuntimeError(f"{question!r}: {message['message']}")
            if first_token_ms is None:
                raise RuntimeError(f"{question!r}: no token before done")
            answers.append(
                Answer(
                    first_token_ms=first_token_ms,
                    total_ms=(time.perf_counter() - sent) * 1000,
                    server_timings=message["timings"],
                )
            )
    return answers


def chat_answers(
    target: Target,
    questions: Sequence[str],
    *,
    conversations: int,
    category: str,
    spread: float = 0.0,
    seed: int = 1,
) -> tuple[list[Answer], float]:
    """`conversations` people asking at once, each their share of `questions` in turn;
    the answers and the seconds it took.

    Each conversation asks its first question at a random moment within `spread` seconds
    (seeded), as people do; with no spread they all ask in the same instant (a burst).
    """
    rng = random.Random(seed)
    starts = [rng.uniform(0, spread) for _ in range(conversations)]

    async def run() -> tuple[list[Answer], float]:
        started = time.perf_counter()
        shares = await asyncio.gather(
            *(
                converse(
                    target,
                    questions[number::conversations],
                    category=category,
                    start_after=starts[number],
                )
                for number in range(conversations)
            )
        )
        return [answer for share in shares for answer in share], time.perf_counter() - started

    return asyncio.run(run())
