"""The OpenID Connect glue: tokens checked against the provider, local accounts untouched
by it, the provider's button only when it is configured."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse

from common import oidc
from common.oidc import ProviderBackend
from testing.services import free_port

ISSUER = "https://idp.example.org"
CLIENT_ID = "cassandre"
PROVIDER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PASSWORD = "un mot de passe solide 42"


@pytest.fixture
def oidc_on(settings):
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_ENABLED = True
    settings.OIDC_SIGN_IN_LABEL = "Annuaire"
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "common.oidc.ProviderBackend",
    ]
    oidc._discover.cache_clear()
    cache.clear()
    yield settings
    oidc._discover.cache_clear()
    cache.clear()


@pytest.fixture
def unreachable_provider(oidc_on):
    oidc_on.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"
    return oidc_on


def id_token(key=PROVIDER_KEY, **claims) -> str:
    payload = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "abc-123",
        "exp": int(time.time()) + 60,
        "nonce": "n",
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "provider"})


@pytest.fixture
def backend(oidc_on, monkeypatch):
    """The backend, the provider's published key being PROVIDER_KEY's public half."""
    public = jwt.PyJWK.from_dict(
        {**jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key(), as_dict=True)},
        algorithm="RS256",
    )
    monkeypatch.setattr(ProviderBackend, "retrieve_matching_jwk", lambda self, token: public)
    return ProviderBackend()


def test_a_token_signed_by_the_provider_for_this_site_is_accepted(backend):
    assert backend.verify_token(id_token(), nonce="n")["sub"] == "abc-123"


def test_a_token_signed_with_another_key_is_refused(backend):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(id_token(key=OTHER_KEY), nonce="n")


def test_a_token_issued_for_another_client_is_refused(backend):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(id_token(aud="another-application"), nonce="n")


def test_a_token_from_another_issuer_is_refused(backend):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(id_token(iss="https://evil.example.org"), nonce="n")


@pytest.mark.django_db
def test_a_deactivated_user_signed_in_through_the_provider_is_signed_out(backend):
    user = get_user_model().objects.create_user("camille")
    user.is_active = False
    user.save()

    assert backend.get_user(user.pk) is None


@pytest.mark.django_db
def test_a_local_account_signs_in_while_the_provider_is_unreachable(client, unreachable_provider):
    get_user_model().objects.create_user("admin-local", password=PASSWORD)

    response = client.post(
        reverse("login") + "?code=x&state=y", {"username": "admin-local", "password": PASSWORD}
    )

    assert response.status_code == 302 and response.url == reverse("chat:search")


@pytest.mark.django_db
def test_an_unreachable_provider_sends_back_to_the_sign_in_page_saying_so(
    client, unreachable_provider
):
    response = client.get(reverse("oidc_authentication_init"), follow=True)

    assert response.request["PATH_INFO"] == reverse("login")
    assert "Annuaire ne répond pas" in response.content.decode()


@pytest.mark.django_db
def test_the_sign_in_page_offers_the_provider_only_when_it_is_configured(client, settings):
    assert 'data-testid="oidc-sign-in"' not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404


@pytest.mark.django_db
def test_a_local_account_signs_out_to_the_sign_in_page(client, oidc_on):
    client.force_login(get_user_model().objects.create_user("admin-local"))

    response = client.post(reverse("logout"))

    assert response.status_code == 302 and response.url == reverse("login")
