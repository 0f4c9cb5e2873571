from daphne.endpoints import build_endpoint_description_strings
from daphne.server import Server
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from common.embedded_worker import claim_embedded_server, start_embedded_worker
from common.services import ensure_storage_ready

SHARED_STORE_REFUSED = (
    "A separate Celery worker (CELERY_BROKER_URL is set) needs a Qdrant server (QDRANT_URL): "
    "Qdrant Edge, the in-process store used without QDRANT_URL, can be opened by one process "
    "only, so this server and the worker would take it from each other. Set QDRANT_URL, or "
    "unset CELERY_BROKER_URL to run the worker inside this process."
)

ANOTHER_SERVER = (
    "Another `manage.py serve` runs its embedded worker on this data folder "
    "(CASSANDRE_DATA_DIR); two could not share its Qdrant Edge store. Stop it first, or give "
    "this one another data folder."
)


class Command(BaseCommand):
    help = (
        "Serve HTTP and websockets with daphne. On the memory broker (no CELERY_BROKER_URL) "
        "the Celery worker runs inside this same process."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options) -> None:
        if not (settings.EMBEDDED_WORKER or settings.QDRANT_URL or settings.EDGE_STORE_PER_PROCESS):
            raise CommandError(SHARED_STORE_REFUSED)
        application = import_string(settings.ASGI_APPLICATION)
        ensure_storage_ready()
        if settings.EMBEDDED_WORKER:
            if not claim_embedded_server():
                raise CommandError(ANOTHER_SERVER)
            start_embedded_worker()
        self.stdout.write(
            f"Cassandre is serving on http://{host}:{port}/ (backoffice: /backoffice/, "
            "admin: /admin/, health: /healthz)."
        )
        if settings.DEBUG:
            self.stdout.write(
                "DEBUG is on: error pages show the settings and the code. For development only."
            )
        self.stdout.flush()
        Server(
            application=application,
            endpoints=build_endpoint_description_strings(host=host, port=port),
        ).run()
