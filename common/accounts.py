"""Signing in and out of the site, for every user (the admin's own form lets staff only in)."""

import math
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import ngettext_lazy

from common.oidc import end_session_url
from common.ratelimit import LOGINS, allowed, exceeded, remaining, retry_after

LOCKED = ngettext_lazy(
    "Trop de tentatives de connexion. Réessayez dans %(minutes)s minute.",
    "Trop de tentatives de connexion. Réessayez dans %(minutes)s minutes.",
    "minutes",
)
LAST_ATTEMPT = ngettext_lazy(
    "Attention : encore une tentative avant un blocage de %(minutes)s minute.",
    "Attention : encore une tentative avant un blocage de %(minutes)s minutes.",
    "minutes",
)


def login_rate_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse sign-in attempts (POST) once RATE_LIMIT_LOGINS *failed* ones came from the same
    IP address, or were made for the same account from anywhere: the form is shown again,
    with the wait in minutes, and the password is not even checked. A successful sign-in
    counts for nothing, so an office behind one address is not locked out by its own people.
    With one failed attempt left, for the account or the address, the form warns."""

    def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        counted = [
            f"ip:{request.META.get('REMOTE_ADDR', '')}",
            f"account:{request.POST.get('username', '').strip().lower()}",
        ]
        if any(exceeded(LOGINS, who) for who in counted):
            messages.error(request, LOCKED % {"minutes": _lock_minutes()})
            request.method = "GET"
            response = view(request, *args, **kwargs)
            response.status_code = 429
            return response
        response = view(request, *args, **kwargs)
        if response.status_code != 302:  # the form again: the sign-in failed
            for who in counted:
                allowed(LOGINS, who)
            # Both forms answer with a TemplateResponse, rendered after this: the message
            # still reaches the page.
            _warn_before_the_lock(request, counted)
        return response

    return limited


def _warn_before_the_lock(request: HttpRequest, counted: list[str]) -> None:
    left = [n for who in counted if (n := remaining(LOGINS, who)) is not None]
    if not left:
        return
    if min(left) == 0:
        messages.error(request, LOCKED % {"minutes": _lock_minutes()})
    elif min(left) == 1:
        messages.warning(request, LAST_ATTEMPT % {"minutes": _lock_minutes()})


def _lock_minutes() -> int:
    """A lock lasts until the current window ends: its wait in whole minutes, rounded up."""
    return math.ceil(retry_after(LOGINS) / 60)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the backoffice's pages: a visitor is sent to the site's sign-in page, and back
    after it; a signed-in user who is not staff gets the 403 page, which says so.

    Django's `staff_member_required` sends both to the admin's form, where a signed-in user
    can do nothing but sign in again as somebody else.
    """

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def refused_to_non_staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the admin's sign-in form, where every admin page sends whoever may not see it: a
    signed-in user who is not staff gets the 403 page instead of that form."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated and not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


login = login_rate_limited(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", redirect_authenticated_user=True
    )
)


class LogoutView(auth_views.LogoutView):
    """Signs out of the site, then, for a user who came through the OpenID provider, of the
    provider too: otherwise its session would sign them straight back in."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        provider_sign_out = end_session_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_sign_out) if provider_sign_out else response


logout = LogoutView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
