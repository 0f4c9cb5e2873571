"""Options shared by the search commands."""

from django.core.management.base import CommandError

from documents.selectors import category_ids_for_slugs


def category_ids_option(slugs: list[str]) -> list[int] | None:
    """The ids of the `--category` slugs; None (every category) when none is given."""
    if not slugs:
        return None
    category_ids, unknown = category_ids_for_slugs(slugs)
    if unknown:
        raise CommandError(f"Unknown category: {', '.join(unknown)}.")
    return category_ids
