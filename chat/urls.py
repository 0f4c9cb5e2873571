from django.urls import path

from chat.views import home, search

app_name = "chat"
urlpatterns = [
    path("", home, name="home"),
    path("recherche/", search, name="search"),
]
