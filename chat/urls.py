from django.urls import path
from django.views.generic import RedirectView

from chat.views import conversation, search

app_name = "chat"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="chat:search")),
    path("search/", search, name="search"),
    path("search/<slug:category>/", search, name="search-category"),
    path("c/<int:conversation_id>/", conversation, name="conversation"),
]
