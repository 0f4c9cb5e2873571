from django.urls import path

from backoffice.views import evaluate_retrieval, upload_documents

app_name = "backoffice"
urlpatterns = [
    path("documents/upload/", upload_documents, name="upload"),
    path("evaluation/", evaluate_retrieval, name="evaluation"),
]
