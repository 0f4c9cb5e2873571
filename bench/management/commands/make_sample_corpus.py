from pathlib import Path

from django.core.management.base import BaseCommand

from testing.sample_corpus import write_sample_corpus


class Command(BaseCommand):
    help = "Write a synthetic corpus of French documents (PDF, DOCX, ODT, HTML, MD, TXT)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--count", type=int, default=300)
        parser.add_argument("--broken-share", type=float, default=0.05)
        parser.add_argument("--seed", type=int, default=2024)

    def handle(
        self, *args, directory: Path, count: int, broken_share: float, seed: int, **options
    ) -> None:
        paths = write_sample_corpus(directory, count=count, broken_share=broken_share, seed=seed)
        self.stdout.write(f"{len(paths)} files written to {directory}.")
