from django.conf import settings


def site(request) -> dict[str, object]:
    return {
        "WEBSOCKET_URL": settings.WEBSOCKET_URL,
        "OIDC_SIGN_IN_LABEL": settings.OIDC_SIGN_IN_LABEL if settings.OIDC_ENABLED else "",
    }
