"""Notes shown below an answer about the documents it cites."""

from collections.abc import Sequence

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from documents.selectors import documents_expiring


def expiry_notices(*, sources: Sequence[dict], citations: Sequence[int]) -> list[str]:
    """A warning for each cited document (`citations`, numbers of `sources`) that goes out
    of force soon (`documents.validity.EXPIRY_WARNING`): the answer may not hold for long."""
    document_ids = [
        sources[number - 1]["document_id"]
        for number in citations
        if sources[number - 1]["document_id"] is not None
    ]
    return [
        _("Attention : « %(title)s » n'est plus en vigueur après le %(date)s.")
        % {"title": document, "date": date_format(document.valid_until, "j F Y")}
        for document in documents_expiring(document_ids)
    ]
