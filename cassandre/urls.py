from django.contrib import admin
from django.urls import include, path

from common.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("backoffice/", include("backoffice.urls")),
    path("api/", include("documents.api_urls")),
    path("api/", include("chat.api_urls")),
    path("api/v1/", include("chat.api_v1_urls")),
    path("documents/", include("documents.urls")),
    path("", include("chat.urls")),
]
