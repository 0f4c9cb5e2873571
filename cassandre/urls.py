from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from common.accounts import login_rate_limited, refused_to_non_staff
from common.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/login/", refused_to_non_staff(login_rate_limited(admin.site.login))),
    path("admin/", admin.site.urls),
    path("accounts/", include("common.account_urls")),
    path("backoffice/", include("backoffice.urls")),
    path("api/", include("documents.api_urls")),
    path("api/", include("chat.search_api_urls")),
    path("api/v1/", include("chat.api_v1_urls")),
    path("documents/", include("documents.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("chat/", include("chat.urls")),
    # The search page's former address, kept for bookmarks.
    path("recherche/", RedirectView.as_view(pattern_name="chat:search", query_string=True)),
    path("", RedirectView.as_view(pattern_name="chat:search"), name="home"),
]

# The 404, 403 and 500 pages are the templates of the same names; a 400 may be a 413.
handler400 = "common.views.bad_request"
