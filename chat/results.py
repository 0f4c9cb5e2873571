"""Search results as plain data, for the API and the command line."""

from django.urls import reverse

from ai.retrieval import Result


def _document_url(result: Result) -> str | None:
    if result.document_id is None:
        return None
    url = reverse("documents:file", args=[result.document_id])
    return f"{url}#page={result.page}" if result.page else url


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
