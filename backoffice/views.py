from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from backoffice.forms import UploadForm
from documents.uploads import IncomingFile, upload_files


@staff_member_required
@permission_required("documents.add_document", raise_exception=True)
def upload_documents(request):
    """Upload files and ZIP archives into a category, then list what became of each."""
    report = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            category = form.cleaned_data["category"]
            report = upload_files(
                category=category,
                files=[IncomingFile(file, file.name) for file in form.cleaned_data["files"]],
                hints=form.cleaned_data["hints"],
            )
            form = UploadForm(initial={"category": category})
    else:
        form = UploadForm(initial={"category": request.GET.get("category")})
    return render(request, "backoffice/upload.html", {"form": form, "report": report})
