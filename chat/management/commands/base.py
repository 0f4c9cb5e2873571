"""What the search and answering commands share: the categories searched, who asks, and
which provider answers."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from ai.llm import Provider, provider_for
from ai.llm.extractive import ExtractiveProvider
from ai.models import LanguageModel
from documents.models import Category
from documents.selectors import category_ids_for_slugs

CATEGORY_PROVIDER = "default"
EXTRACTIVE_PROVIDER = "extractive"
PROVIDER_HELP = (
    f"{CATEGORY_PROVIDER!r} (the category's own language model, else the site's LLM_* one), "
    f"{EXTRACTIVE_PROVIDER!r} (no language model), or the name of a language model of the admin"
)


def category_ids_option(slugs: list[str]) -> list[int] | None:
    """The ids of the `--category` slugs; None (every category) when none is given."""
    if not slugs:
        return None
    category_ids, unknown = category_ids_for_slugs(slugs)
    if unknown:
        raise CommandError(f"Unknown category: {', '.join(unknown)}.")
    return category_ids


class AnswerCommand(BaseCommand):
    def add_answer_arguments(self, parser) -> None:
        parser.add_argument("--category", required=True, help="Category name or slug.")
        parser.add_argument(
            "--user",
            help="Username the conversations belong to (default: the first superuser).",
        )

    def find_category(self, name_or_slug: str) -> Category:
        category = Category.objects.filter(Q(name=name_or_slug) | Q(slug=name_or_slug)).first()
        if category is None:
            existing = ", ".join(f"{c.name!r} ({c.slug})" for c in Category.objects.all())
            raise CommandError(
                f"Unknown category {name_or_slug!r}. "
                + (f"Existing categories: {existing}." if existing else "There is no category.")
            )
        return category

    def find_user_id(self, username: str | None) -> int:
        users = get_user_model().objects.filter(is_active=True)
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"Unknown user {username!r}.")
            return user.pk
        user = users.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            raise CommandError(
                "No superuser to ask as: create one (make superuser) or pass --user USERNAME."
            )
        return user.pk

    def find_provider(self, name: str) -> Provider | None:
        """The provider called `name`; None for the category's own."""
        if name == CATEGORY_PROVIDER:
            return None
        if name == EXTRACTIVE_PROVIDER:
            return ExtractiveProvider()
        language_model = LanguageModel.objects.filter(name=name).first()
        if language_model is None:
            names = [CATEGORY_PROVIDER, EXTRACTIVE_PROVIDER]
            names += LanguageModel.objects.values_list("name", flat=True)
            raise CommandError(
                f"Unknown provider {name!r}; choose among {', '.join(map(repr, names))}."
            )
        return provider_for(language_model)
