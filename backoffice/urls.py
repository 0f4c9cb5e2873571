from django.urls import path

from backoffice.views import document_progress, evaluate_retrieval, upload_documents

app_name = "backoffice"
urlpatterns = [
    path("documents/upload/", upload_documents, name="upload"),
    path("documents/progress/", document_progress, name="document-progress"),
    path("evaluation/", evaluate_retrieval, name="evaluation"),
]
