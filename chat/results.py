"""Search results as plain data, for the API and the command line."""

from urllib.parse import urlencode

from django.urls import reverse

from ai.retrieval import Result


def _document_url(result: Result) -> str | None:
    """The viewer, opened at the passage's page with the passage marked."""
    if result.document_id is None:
        return None
    query = {"page": result.page, "passage": result.id} if result.page else {"passage": result.id}
    return f"{reverse('documents:view', args=[result.document_id])}?{urlencode(query)}"


def result_as_dict(result: Result) -> dict[str, object]:
    return {
        "id": result.id,
        "score": round(result.score, 6),
        "kind": result.kind,
        "document_id": result.document_id,
        "correction_id": result.correction_id,
        "title": result.title,
        "filename": result.filename,
        "page": result.page,
        "heading": result.heading,
        "text": result.text,
        "highlighted": result.highlighted,
        "url": _document_url(result),
    }
