from django.urls import path

from backoffice.insight_views import dashboard_page, inspect_retrieval_page
from backoffice.views import document_progress, evaluate_retrieval, upload_documents

app_name = "backoffice"
urlpatterns = [
    path("", dashboard_page, name="dashboard"),
    path("inspector/", inspect_retrieval_page, name="inspector"),
    path("documents/upload/", upload_documents, name="upload"),
    path("documents/progress/", document_progress, name="document-progress"),
    path("evaluation/", evaluate_retrieval, name="evaluation"),
]
