from django.core.management.base import BaseCommand, CommandError

from documents.models import Category
from documents.services import reindex_documents


class Command(BaseCommand):
    help = "Queue stored documents for indexing again (all, or one category's)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reindex", action="store_true", help="Re-index stored documents.")
        parser.add_argument("--category", help="Only this category (name or slug).")

    def handle(self, *args, reindex: bool, category: str | None, **options) -> None:
        if not reindex:
            raise CommandError("Nothing to do: pass --reindex.")
        selected = None
        if category:
            selected = Category.objects.filter(name=category).first() or (
                Category.objects.filter(slug=category).first()
            )
            if selected is None:
                raise CommandError(f"No category named {category!r}.")
        queued = reindex_documents(category=selected)
        self.stdout.write(f"{queued} document(s) queued for indexing.")
