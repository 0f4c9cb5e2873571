"""OpenID Connect end to end: Cassandre served by daphne signs people in through a real
provider (django-oauth-toolkit, testing/oidc_provider) running in its own process. The
groups claim decides which categories they read, at every sign-in; signing out of
Cassandre signs out of the provider too."""

import importlib.util
import os
import re

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from common.models import ProviderIdentity
from documents.models import Category
from testing.oidc import running_oidc_provider
from testing.services import free_port, require, running_daphne

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOCAL_PASSWORD = "mot de passe local solide 42"


@pytest.fixture
def oidc_site(redis_channel_layer, transactional_db, settings, tmp_path):
    """The provider, then Cassandre pointed at it; yields both addresses."""
    require(
        importlib.util.find_spec("oauth2_provider") is not None,
        "django-oauth-toolkit (the test OpenID provider, requirements/dev.txt)",
    )
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    with running_oidc_provider(
        tmp_path / "provider",
        redirect_uri=f"{site}/accounts/oidc/callback/",
        post_logout_redirect_uri=f"{site}/accounts/login/",
    ) as provider:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cassandre.test_settings",
            "DB_NAME": settings.DATABASES["default"]["NAME"],
            **provider.environment(),
        }
        with running_daphne(env=env, log_path=tmp_path / "daphne.log", port=port):
            yield {"site": site, "provider": provider}


@pytest.fixture
def categories(db):
    """« Droit social » read by the group Juristes, « Paie » by the group RH."""
    granted = {}
    for name, slug, group in (("Droit social", "droit-social", "Juristes"), ("Paie", "paie", "RH")):
        category = Category.objects.create(name=name, slug=slug)
        category.groups.add(Group.objects.get_or_create(name=group)[0])
        granted[group] = slug
    return granted


def csrf_token(page: requests.Response) -> str:
    return CSRF_FIELD.search(page.text).group(1)


def sign_in_through_provider(browser: requests.Session, oidc_site: dict) -> requests.Response:
    """Click « Se connecter avec … », give the provider's password, come back signed in."""
    provider = oidc_site["provider"]
    login_page = browser.get(oidc_site["site"] + "/accounts/login/")
    button = re.search(r'href="([^"]+)"[^>]*data-testid="oidc-sign-in"', login_page.text)
    provider_form = browser.get(oidc_site["site"] + button.group(1).replace("&amp;", "&"))
    assert provider_form.url.startswith(provider.issuer.removesuffix("/o") + "/accounts/login/")
    return browser.post(
        provider_form.url,
        data={
            "csrfmiddlewaretoken": csrf_token(provider_form),
            "username": provider.username,
            "password": provider.password,
            "next": re.search(r'name="next" value="([^"]+)"', provider_form.text)
            .group(1)
            .replace("&amp;", "&"),
        },
    )


def reads(browser: requests.Session, oidc_site: dict, slug: str) -> bool:
    response = browser.get(f"{oidc_site['site']}/chat/search/{slug}/", allow_redirects=False)
    assert response.status_code in {200, 404}
    return response.status_code == 200


def test_the_sign_in_page_offers_the_provider_beside_the_local_form(oidc_site):
    page = requests.get(oidc_site["site"] + "/accounts/login/", timeout=10).text
    assert 'data-testid="login-form"' in page
    assert "Se connecter avec Annuaire de test" in page


def test_a_first_sign_in_creates_the_user_with_the_groups_of_the_claim(oidc_site, categories):
    oidc_site["provider"].set_groups(["Juristes", "RH"])
    with requests.Session() as browser:
        landing = sign_in_through_provider(browser, oidc_site)

        assert landing.url == oidc_site["site"] + "/chat/search/"
        identity = ProviderIdentity.objects.select_related("user").get()
        assert identity.issuer == oidc_site["provider"].issuer
        assert identity.user.email == "camille@example.org"
        assert not identity.user.has_usable_password()
        assert {group.name for group in identity.user.groups.all()} == {"Juristes", "RH"}
        assert reads(browser, oidc_site, "droit-social") and reads(browser, oidc_site, "paie")


def test_a_group_the_provider_revokes_is_gone_at_the_next_sign_in(oidc_site, categories):
    provider = oidc_site["provider"]
    provider.set_groups(["Juristes", "RH"])
    with requests.Session() as browser:
        sign_in_through_provider(browser, oidc_site)
        assert reads(browser, oidc_site, "paie")
        search_page = browser.get(oidc_site["site"] + "/chat/search/")
        browser.post(
            oidc_site["site"] + "/accounts/logout/",
            data={"csrfmiddlewaretoken": csrf_token(search_page)},
        )

        provider.set_groups(["Juristes"])
        sign_in_through_provider(browser, oidc_site)

        user = get_user_model().objects.get(provider_identity__isnull=False)
        assert {group.name for group in user.groups.all()} == {"Juristes"}
        assert reads(browser, oidc_site, "droit-social")
        assert not reads(browser, oidc_site, "paie")


def test_signing_out_ends_the_provider_session_so_the_password_is_asked_again(oidc_site):
    provider = oidc_site["provider"]
    with requests.Session() as browser:
        sign_in_through_provider(browser, oidc_site)
        search_page = browser.get(oidc_site["site"] + "/chat/search/")

        signed_out = browser.post(
            oidc_site["site"] + "/accounts/logout/",
            data={"csrfmiddlewaretoken": csrf_token(search_page)},
        )

        assert signed_out.url == oidc_site["site"] + "/accounts/login/"
        assert any(provider.issuer + "/logout/" in hop.url for hop in signed_out.history)
        assert browser.get(oidc_site["site"] + "/chat/search/").url.startswith(
            oidc_site["site"] + "/accounts/login/"
        )
        again = browser.get(oidc_site["site"] + "/accounts/oidc/authenticate/")
        assert 'data-testid="provider-login"' in again.text


def test_a_local_account_still_signs_in_with_its_password(oidc_site):
    get_user_model().objects.create_user("admin-local", password=LOCAL_PASSWORD)
    with requests.Session() as browser:
        login_page = browser.get(oidc_site["site"] + "/accounts/login/")
        landing = browser.post(
            login_page.url,
            data={
                "csrfmiddlewaretoken": csrf_token(login_page),
                "username": "admin-local",
                "password": LOCAL_PASSWORD,
            },
        )
    assert landing.url == oidc_site["site"] + "/chat/search/"
