"""OpenID Connect sign-in (mozilla-django-oidc), set up from the provider's discovery
document: `OIDC_ISSUER` is enough to find its endpoints and keys.

Nothing here runs unless `OIDC_ENABLED`: the backend is not even listed then. The provider
is asked for its configuration at the first sign-in through it, not when a process starts
nor when a local account signs in, so a provider that is down never keeps the
administrator out.
"""

import logging
from functools import cache
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from common.identities import sign_in_from_claims

logger = logging.getLogger(__name__)

# mozilla-django-oidc's endpoint settings, and where the discovery document gives each.
DISCOVERED_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


@cache
def _discover(issuer: str) -> dict[str, Any]:
    response = requests.get(
        f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
    )
    response.raise_for_status()
    document = response.json()
    # OpenID Connect Discovery 1.0, section 4.3: a document for another issuer is refused.
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise SuspiciousOperation(f"The discovery document of {issuer} names another issuer.")
    return document


def provider_configuration() -> dict[str, Any]:
    """The provider's discovery document, fetched once per process (a failure is not
    remembered: the next sign-in asks again). Raises requests' errors when unreachable."""
    return _discover(settings.OIDC_ISSUER)


def oidc_setting(name: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting, the endpoints coming from the discovery document."""
    if name in DISCOVERED_SETTINGS:
        return provider_configuration()[DISCOVERED_SETTINGS[name]]
    return import_from_settings(name, *default)


def end_session_url(request: HttpRequest) -> str | None:
    """Where to send a user signing out so that the provider ends its session too, back to
    the sign-in page after: None for a local account, or a provider without RP-initiated
    logout or unreachable (the local sign-out happens all the same)."""
    id_token = request.session.get("oidc_id_token")
    if not (settings.OIDC_ENABLED and id_token):
        return None
    try:
        endpoint = provider_configuration().get("end_session_endpoint")
    except requests.RequestException:
        logger.warning("OpenID provider unreachable: its session is not ended.")
        return None
    if not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(
                resolve_url(settings.LOGOUT_REDIRECT_URL)
            ),
        }
    )
    return f"{endpoint}?{query}"


class ProviderBackend(OIDCAuthenticationBackend):
    """Signs in whoever the provider vouches for, by the provider's subject.

    The ID token's signature is checked with the provider's published keys, and its issuer
    and audience with ours (mozilla-django-oidc checks neither). The user's groups follow
    the claim `OIDC_GROUPS_CLAIM` of the ID token and userinfo together.
    """

    get_settings = staticmethod(oidc_setting)
    # Django's check: a deactivated user's sessions end (mozilla-django-oidc's get_user
    # returns the user whatever their state).
    get_user = ModelBackend.get_user

    def __init__(self, *args, **kwargs):
        # Built for every sign-in, local ones included: no settings read from the provider.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        # Only the provider's callback passes a nonce; a local sign-in never reaches the
        # provider, whatever its address carries.
        if "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if payload.get("iss", "").rstrip("/") != settings.OIDC_ISSUER.rstrip("/"):
            raise SuspiciousOperation("The ID token comes from another issuer.")
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued for another client.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo names another subject than the ID token.")
        return sign_in_from_claims(
            issuer=settings.OIDC_ISSUER,
            claims={**payload, **userinfo},
            groups_claim=settings.OIDC_GROUPS_CLAIM,
        )


class SignInView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's sign-in page."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs):
        # Endpoints are read in dispatch, where an unreachable provider can be answered.
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    OIDC_OP_AUTH_ENDPOINT = property(lambda self: oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().dispatch(request, *args, **kwargs)
        except requests.RequestException:
            logger.warning("OpenID provider unreachable at %s.", settings.OIDC_ISSUER)
            messages.error(
                request,
                _("%(provider)s ne répond pas : réessayez dans un instant.")
                % {"provider": settings.OIDC_SIGN_IN_LABEL},
            )
            return redirect("login")


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signs the user in, or says it failed."""

    get_settings = staticmethod(oidc_setting)

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def login_failure(self) -> HttpResponseRedirect:
        messages.error(
            self.request,
            _("La connexion avec %(provider)s a échoué.")
            % {"provider": settings.OIDC_SIGN_IN_LABEL},
        )
        return super().login_failure()
