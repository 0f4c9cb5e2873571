from django.urls import path

from chat.views import search

app_name = "chat"
urlpatterns = [
    path("search/", search, name="search"),
    path("search/<slug:category>/", search, name="search-category"),
]
