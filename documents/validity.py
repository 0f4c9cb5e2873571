"""When a document is in force: its dates and its repeal.

A document is in force on a day when it is not repealed (`Document.repealed_by`), its start
(`valid_from`), if it has one, is that day or before, and its end (`valid_until`), if it has
one, that day or after: both dates are included. A repealed document is out of force
whatever its dates say, and so is an archived one (`Document.archived_at`: its file left
the folder or bucket it is synchronised from, `documents.folder_sync`). Searches and answers
leave out the documents not in force today, and "today" is always
`django.utils.timezone.localdate()` (the site's time zone).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from documents.models import Document

# An answer citing a document whose end is this close warns that it will soon be out of force.
EXPIRY_WARNING = timedelta(days=30)


class Validity(models.TextChoices):
    IN_FORCE = "in_force", "en vigueur"
    NOT_YET = "not_yet", "pas encore en vigueur"
    ENDED = "ended", "expiré, abrogé ou archivé"


@dataclass(frozen=True)
class ValidityFields:
    """A document's validity as given with its file (upload, API): nothing by default."""

    valid_from: date | None = None
    valid_until: date | None = None
    repealed_by: "Document | None" = None

    def as_fields(self) -> dict[str, object]:
        return {
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "repealed_by": self.repealed_by,
        }


NO_VALIDITY = ValidityFields()


def validity_on(
    day: date,
    *,
    valid_from: date | None,
    valid_until: date | None,
    repealed: bool,
    archived: bool = False,
) -> Validity:
    """Where a document with these dates, repealed or not, archived or not, stands on `day`."""
    if repealed or archived or (valid_until is not None and valid_until < day):
        return Validity.ENDED
    if valid_from is not None and valid_from > day:
        return Validity.NOT_YET
    return Validity.IN_FORCE


def condition(validity: Validity, day: date) -> Q:
    """The documents that stand at `validity` on `day`, as a filter on Document."""
    ended = Q(repealed_by__isnull=False) | Q(archived_at__isnull=False) | Q(valid_until__lt=day)
    if validity == Validity.ENDED:
        return ended
    not_yet = Q(valid_from__gt=day) & ~ended
    if validity == Validity.NOT_YET:
        return not_yet
    return ~ended & ~not_yet


def expiring_condition(day: date) -> Q:
    """The documents in force on `day` whose end comes within `EXPIRY_WARNING`."""
    return condition(Validity.IN_FORCE, day) & Q(valid_until__lte=day + EXPIRY_WARNING)
