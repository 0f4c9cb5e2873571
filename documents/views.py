from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from documents.models import Document
from documents.selectors import readable_categories


def open_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The original file, shown in the browser (PDFs open at `#page=N`).

    Only for users who may read its category; to the others the document does not exist.
    """
    if not request.user.is_authenticated and not settings.PUBLIC_CATEGORIES:
        return redirect_to_login(request.get_full_path())
    document = get_object_or_404(Document, pk=pk)
    if not readable_categories(request.user).filter(pk=document.category_id).exists():
        raise Http404("No such document.")
    return FileResponse(
        document.file.open("rb"),
        filename=document.original_filename or None,
        as_attachment=False,
        content_type=document.mime_type or None,
    )
