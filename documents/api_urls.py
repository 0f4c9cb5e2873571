from django.urls import path

from documents.api import DocumentDetailView, DocumentUploadView, DocumentVersionsView

app_name = "documents_api"
urlpatterns = [
    path("documents/", DocumentUploadView.as_view(), name="document-list"),
    path("documents/<int:pk>/", DocumentDetailView.as_view(), name="document-detail"),
    path(
        "documents/<int:pk>/versions/",
        DocumentVersionsView.as_view(),
        name="document-versions",
    ),
]
