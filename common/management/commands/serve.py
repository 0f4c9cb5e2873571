from daphne.endpoints import build_endpoint_description_strings
from daphne.server import Server
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from common.embedded_worker import start_embedded_worker
from common.services import ensure_storage_ready


class Command(BaseCommand):
    help = (
        "Serve HTTP and websockets with daphne. On the memory broker (no CELERY_BROKER_URL) "
        "the Celery worker runs inside this same process."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options) -> None:
        application = import_string(settings.ASGI_APPLICATION)
        ensure_storage_ready()
        if settings.EMBEDDED_WORKER:
            start_embedded_worker()
        self.stdout.write(
            f"Cassandre is serving on http://{host}:{port}/ (backoffice: /admin/, "
            "health: /healthz)."
        )
        self.stdout.flush()
        Server(
            application=application,
            endpoints=build_endpoint_description_strings(host=host, port=port),
        ).run()
