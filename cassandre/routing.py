from django.urls import path

from backoffice.consumers import DocumentProgressConsumer
from chat.consumers import ChatConsumer, PingConsumer

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    path("ws/chat/", ChatConsumer.as_asgi()),
    path("ws/backoffice/progress/", DocumentProgressConsumer.as_asgi()),
]
