from django.urls import path

from documents.views import open_document

app_name = "documents"
urlpatterns = [
    path("<int:pk>/file", open_document, name="file"),
]
