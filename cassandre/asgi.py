"""ASGI entry point: HTTP through Django, websockets under /ws/ through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cassandre.dev_settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from ai.services import warm_up_models_in_background  # noqa: E402
from cassandre.routing import websocket_urlpatterns  # noqa: E402
from common.websockets import SameOriginValidator  # noqa: E402

# Every serving process (daphne, `manage.py serve`) loads its models before the first
# question rather than during it.
if settings.WARM_UP_MODELS:
    warm_up_models_in_background()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
