import statistics
from pathlib import Path

from django.core.management.base import BaseCommand

from bench.pipeline_throughput import measure_ingestion


class Command(BaseCommand):
    help = (
        "Measure ingestion throughput (chunks/s) against the raw speed of the embedding "
        "model on the same passages, in the same process. Leaves nothing behind."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, default=120, help="Sample documents to index.")
        parser.add_argument("--corpus", type=Path, help="Use these files instead of samples.")
        parser.add_argument("--rounds", type=int, default=3, help="Runs, paired.")

    def handle(self, *args, count: int, corpus: Path | None, rounds: int, **options) -> None:
        result = measure_ingestion(count=count, corpus=corpus, rounds=rounds)
        self.stdout.write(
            f"{result.documents} documents, {result.chunks} chunks, {rounds} rounds\n"
            f"raw embedding : {result.raw_chunks_per_second:7.1f} chunks/s (best round)\n"
            f"pipeline      : {result.pipeline_chunks_per_second:7.1f} chunks/s (best round)\n"
            f"ratio, 2 slots: {_spread(result.ratios)} (pipeline / raw, median (min-max))\n"
            f"ratio, 1 slot : {_spread(result.one_slot_ratios)} (INDEXING_PREPARE_AHEAD off)"
        )


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"
