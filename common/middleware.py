"""What every response gets, whichever view made it."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from common.errors import RequestTooLarge

API_PREFIX = "/api/"


class ApiErrorsMiddleware:
    """An API request whose body is too large gets a JSON 413 like the API's other errors,
    not Django's HTML 400: the body is read (and refused) inside the view, past DRF's own
    exception handler, which does not know that exception."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (isinstance(exception, RequestDataTooBig) and request.path.startswith(API_PREFIX)):
            return None
        error = RequestTooLarge(most_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return JsonResponse({"detail": error.message, "code": error.code}, status=error.status)


class ContentSecurityPolicyMiddleware:
    """Every HTML response gets `CONTENT_SECURITY_POLICY` (see common/content_security.py),
    unless its view set a policy of its own (a file sent sandboxed keeps `sandbox`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        is_page = response.get("Content-Type", "").startswith("text/html")
        if policy and is_page and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
