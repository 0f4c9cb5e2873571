from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from documents.models import Document


@login_required
def open_document(request, pk: int) -> FileResponse:
    """The original file, shown in the browser (PDFs open at `#page=N`)."""
    document = get_object_or_404(Document, pk=pk)
    return FileResponse(
        document.file.open("rb"),
        filename=document.original_filename or None,
        as_attachment=False,
        content_type=document.mime_type or None,
    )
