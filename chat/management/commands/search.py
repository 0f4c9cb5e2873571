import json

from django.core.management.base import BaseCommand, CommandError

from ai.retrieval import Mode
from chat.management.commands.base import category_ids_option
from chat.search import SearchUnavailable, find_passages, result_as_dict


class Command(BaseCommand):
    help = "Search the indexed passages, as the search page does."

    def add_arguments(self, parser) -> None:
        parser.add_argument("query")
        parser.add_argument("--category", action="append", default=[], help="Slug; repeatable.")
        parser.add_argument(
            "--limit", type=int, help="Passages to show (default: the category's k, else 5)."
        )
        parser.add_argument("--mode", choices=[mode.value for mode in Mode], default=Mode.HYBRID)
        parser.add_argument("--json", action="store_true", help="Print the results as JSON.")

    def handle(
        self, *args, query: str, category: list[str], limit: int | None, mode: str, **options
    ):
        category_ids = category_ids_option(category)
        try:
            results = find_passages(query, category_ids=category_ids, limit=limit, mode=Mode(mode))
        except SearchUnavailable as error:
            raise CommandError(error.message) from error
        if options["json"]:
            self.stdout.write(
                json.dumps([result_as_dict(r) for r in results], ensure_ascii=False, indent=2)
            )
            return
        for rank, result in enumerate(results, start=1):
            where = f"p. {result.page}" if result.page else result.heading
            self.stdout.write(f"{rank}. [{result.score:.4f}] {result.title} ({where})")
            self.stdout.write(f"   {' '.join(result.text.split())[:300]}")
