from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from common.errors import RequestTooLarge
from common.health import run_checks


@never_cache
@require_GET
def healthz(request):
    checks = run_checks()
    healthy = all(check["status"] == "ok" for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 page, but a body over DATA_UPLOAD_MAX_MEMORY_SIZE (a form posted with
    megabytes of text) is a 413 that says so, with the limit.

    Rendered without the request, as Django renders its 400 page: the request is the
    malformed part, so nothing may read its session or user.
    """
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    error = RequestTooLarge(most_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return HttpResponse(render_to_string("413.html", {"message": error.message}), status=413)
