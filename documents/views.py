from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from common.accounts import staff_required
from documents import viewer
from documents.extraction.detection import PDF
from documents.models import CategoryExport, Document, DocumentVersion
from documents.selectors import readable_categories


class LoginRequired(Exception):
    """A visitor without an account asked for a document: they must log in first."""


def _readable_document(request: HttpRequest, pk: int) -> Document:
    """The document, for users who may read its category; to the others it does not exist."""
    if not request.user.is_authenticated and not settings.PUBLIC_CATEGORIES:
        raise LoginRequired
    document = get_object_or_404(Document.objects.select_related("category", "repealed_by"), pk=pk)
    if not readable_categories(request.user).filter(pk=document.category_id).exists():
        raise Http404("No such document.")
    return document


def view_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A document at the cited page (PDF) or with the cited passage marked in its text,
    with its validity and a banner when it is not in force.

    `?page=N` opens a PDF at page N; `?passage=<point id>` marks that passage: in the text
    of the other formats, in the page's text layer for a PDF (static/js/documents/
    pdf_viewer.js), which also quotes it above the page.
    """
    try:
        document = _readable_document(request, pk)
    except LoginRequired:
        return redirect_to_login(request.get_full_path())
    file_url = reverse("documents:file", args=[document.pk])
    context: dict[str, object] = {
        "document": document,
        "page": _page(request.GET.get("page")),
        "download_url": f"{file_url}?download=1",
        "is_pdf": viewer.is_pdf(document),
        "file_url": file_url,
        "earlier_versions": document.versions.all() if request.user.is_staff else [],
        "standing": viewer.standing(document, request.user),
    }
    is_pdf = context["is_pdf"]
    # A PDF's passage is quoted above the page too: a scanned page has no text to mark.
    text = viewer.document_text(document, extract_again=not is_pdf)
    if text is not None:
        passage = viewer.passage_text(document, text, request.GET.get("passage", ""))
        if is_pdf:
            context["pdf_passage"] = passage
        else:
            context["text"] = viewer.text_with_passage(text.text, passage)
    return render(request, "documents/view.html", context)


def _page(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) > 0 else None


def open_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The original file: a PDF as it is (the viewer's PDF.js reads it), anything else sandboxed.

    `?download=1` sends it as an attachment. A file that is not a PDF may be HTML (an
    uploaded page, or text that a browser would sniff as such): it is sent with a sandbox
    policy, so even opened directly it runs no script on this origin.
    """
    try:
        document = _readable_document(request, pk)
    except LoginRequired:
        return redirect_to_login(request.get_full_path())
    pdf = viewer.is_pdf(document)
    response = FileResponse(
        document.file.open("rb"),
        filename=document.original_filename or None,
        as_attachment=request.GET.get("download") == "1",
        content_type=PDF if pdf else document.mime_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    if not pdf:
        response["Content-Security-Policy"] = "sandbox"
    return response


def download_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """An earlier version's file, for staff (to others it does not exist)."""
    try:
        document = _readable_document(request, pk)
    except LoginRequired:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise Http404("No such version.")
    version = get_object_or_404(DocumentVersion, document=document, number=number)
    response = FileResponse(
        version.file.open("rb"),
        filename=version.original_filename or None,
        as_attachment=True,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@permission_required("documents.view_categoryexport", raise_exception=True)
def download_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A category's ZIP, once built, for the staff who may see exports."""
    export = get_object_or_404(CategoryExport, pk=pk, status=CategoryExport.Status.READY)
    if not export.file:
        raise Http404("No such export.")
    return FileResponse(
        export.file.open("rb"),
        filename=f"{export.category.slug}.zip",
        as_attachment=True,
        content_type="application/zip",
    )
