from django.conf import settings


def site(request) -> dict[str, object]:
    return {"WEBSOCKET_URL": settings.WEBSOCKET_URL}
