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
        parser.add_argument("--rounds", type=int, default=3, help="Best of this many runs.")

    def handle(self, *args, count: int, corpus: Path | None, rounds: int, **options) -> None:
        result = measure_ingestion(count=count, corpus=corpus, rounds=rounds)
        self.stdout.write(
            f"{result.documents} documents, {result.chunks} chunks\n"
            f"raw embedding : {result.raw_chunks_per_second:7.1f} chunks/s\n"
            f"pipeline      : {result.pipeline_chunks_per_second:7.1f} chunks/s\n"
            f"ratio         : {result.ratio:7.2f} (pipeline / raw)"
        )
