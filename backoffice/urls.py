from django.urls import path

from backoffice.views import upload_documents

app_name = "backoffice"
urlpatterns = [
    path("documents/upload/", upload_documents, name="upload"),
]
