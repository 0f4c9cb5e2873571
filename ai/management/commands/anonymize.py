from django.core.management.base import BaseCommand

from ai.anonymizer import anonymize, find_personal_data


class Command(BaseCommand):
    help = "Print TEXT with its personal data replaced, as questions are before the LLM sees them."

    def add_arguments(self, parser) -> None:
        parser.add_argument("text", nargs="+", help="The text; several words are joined by spaces.")
        parser.add_argument(
            "--explain", action="store_true", help="Also list what was found, and where."
        )

    def handle(self, *args, text: list[str], explain: bool, **options) -> None:
        text = " ".join(text)
        self.stdout.write(anonymize(text))
        if not explain:
            return
        spans = find_personal_data(text)
        for span in spans:
            self.stdout.write(f"  {span.placeholder:<13} {span.start:>4}-{span.end:<4} {span.text}")
        if not spans:
            self.stdout.write("  Nothing found.")
