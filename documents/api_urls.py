from django.urls import path

from documents.api import (
    DocumentDetailView,
    DocumentMergeView,
    DocumentUploadView,
    DocumentVersionsView,
    NearDuplicateView,
)

app_name = "documents_api"
urlpatterns = [
    path("documents/", DocumentUploadView.as_view(), name="document-list"),
    path("documents/<int:pk>/", DocumentDetailView.as_view(), name="document-detail"),
    path(
        "documents/<int:pk>/versions/",
        DocumentVersionsView.as_view(),
        name="document-versions",
    ),
    path(
        "documents/<int:pk>/merge-into/<int:other>/",
        DocumentMergeView.as_view(),
        name="document-merge",
    ),
    path(
        "documents/<int:pk>/similar-to/",
        NearDuplicateView.as_view(),
        name="document-similar-to",
    ),
]
