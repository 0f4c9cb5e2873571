from django.urls import path

from documents.views import download_export, download_version, open_document, view_document

app_name = "documents"
urlpatterns = [
    path("<int:pk>/", view_document, name="view"),
    path("<int:pk>/file", open_document, name="file"),
    path("<int:pk>/versions/<int:number>/file", download_version, name="version-file"),
    path("exports/<int:pk>/file", download_export, name="export-file"),
]
