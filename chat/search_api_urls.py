from django.urls import path

from chat.search_api import SearchView

app_name = "chat_api"
urlpatterns = [
    path("search", SearchView.as_view(), name="search"),
]
