"""Everyone signs in on the site's own page; the admin's form stays for staff."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

PASSWORD = "un mot de passe solide 42"


@pytest.fixture
def reader(db):
    return get_user_model().objects.create_user(username="agent", password=PASSWORD)


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_the_login_page_is_where_visitors_are_sent(client):
    response = client.get(reverse("chat:search"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_staff_rights_signs_in_and_lands_on_the_search_page(client, reader):
    page = client.get(reverse("login")).content.decode()
    assert 'data-testid="login-form"' in page and 'autocomplete="current-password"' in page

    response = client.post(reverse("login"), {"username": "agent", "password": PASSWORD})

    assert response.status_code == 302 and response.url == reverse("chat:search")
    assert client.get(reverse("chat:search")).status_code == 200


def test_signing_in_returns_to_the_page_asked_for(client, reader):
    response = client.post(
        reverse("login"), {"username": "agent", "password": PASSWORD, "next": "/chat/search/?q=x"}
    )
    assert response.url == "/chat/search/?q=x"


def test_signing_in_never_sends_to_another_site(client, reader):
    response = client.post(
        reverse("login"),
        {"username": "agent", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("chat:search")


def test_a_wrong_password_is_explained_without_saying_which_part_was_wrong(client, reader):
    response = client.post(reverse("login"), {"username": "agent", "password": "non"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="login-error"' in page and 'role="alert"' in page
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client, reader):
    client.force_login(reader)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_user_changes_their_password(client, reader):
    client.force_login(reader)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "encore plus solide 4242",
            "new_password2": "encore plus solide 4242",
        },
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    reader.refresh_from_db()
    assert reader.check_password("encore plus solide 4242")


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_password_guessing_is_refused_past_the_rate_even_with_the_right_password(
    client, reader, settings, url_name
):
    settings.RATE_LIMIT_LOGINS = (3, 300)
    for _ in range(3):
        client.post(reverse(url_name), {"username": "agent", "password": "faux"})

    response = client.post(reverse(url_name), {"username": "agent", "password": PASSWORD})

    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_successful_sign_ins_are_not_counted(client, reader, settings, url_name):
    settings.RATE_LIMIT_LOGINS = (3, 300)
    reader.is_staff = url_name == "admin:login"
    reader.save()

    for _ in range(5):
        response = client.post(reverse(url_name), {"username": "agent", "password": PASSWORD})
        assert response.status_code == 302
        client.logout()


def test_guessing_one_accounts_password_from_many_addresses_is_refused(client, reader, settings):
    settings.RATE_LIMIT_LOGINS = (3, 300)
    for number in range(3):
        client.post(
            reverse("login"),
            {"username": "Agent", "password": "faux"},
            REMOTE_ADDR=f"10.0.0.{number}",
        )

    response = client.post(
        reverse("login"), {"username": "agent", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.fixture
def at_the_start_of_a_five_minute_window(settings, monkeypatch):
    """Three failed sign-ins allowed per five minutes, one second into a window: a lock
    would last 299 seconds, shown as 5 minutes."""
    settings.RATE_LIMIT_LOGINS = (3, 300)
    monkeypatch.setattr("common.ratelimit.time.time", lambda: 3001.0)


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_the_form_warns_before_the_last_attempt(
    client, reader, at_the_start_of_a_five_minute_window, url_name
):
    first = client.post(reverse(url_name), {"username": "agent", "password": "faux"})
    assert "encore une tentative" not in first.content.decode()

    second = client.post(reverse(url_name), {"username": "agent", "password": "faux"})

    assert (
        "Attention : encore une tentative avant un blocage de 5 minutes." in second.content.decode()
    )


def test_the_warning_counts_the_address_when_it_is_closer_to_the_lock(
    client, reader, at_the_start_of_a_five_minute_window
):
    client.post(reverse("login"), {"username": "alice", "password": "faux"})

    response = client.post(reverse("login"), {"username": "agent", "password": "faux"})

    assert "Attention : encore une tentative" in response.content.decode()


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_a_locked_form_gives_the_wait_in_minutes_rounded_up(
    client, reader, at_the_start_of_a_five_minute_window, url_name
):
    for _ in range(3):
        client.post(reverse(url_name), {"username": "agent", "password": "faux"})

    response = client.post(reverse(url_name), {"username": "agent", "password": PASSWORD})

    assert response.status_code == 429
    page = response.content.decode()
    assert "Trop de tentatives de connexion. Réessayez dans 5 minutes." in page
    assert "seconde" not in page


def test_the_last_failed_attempt_already_says_how_long_the_lock_lasts(
    client, reader, at_the_start_of_a_five_minute_window
):
    for _ in range(2):
        client.post(reverse("login"), {"username": "agent", "password": "faux"})

    response = client.post(reverse("login"), {"username": "agent", "password": "faux"})

    assert "Réessayez dans 5 minutes." in response.content.decode()


def test_the_warning_and_the_wait_are_in_english_for_an_english_browser(
    client, reader, at_the_start_of_a_five_minute_window
):
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    responses = [
        client.post(reverse("login"), {"username": "agent", "password": "faux"}, **english)
        for _ in range(3)
    ]

    assert "Warning: one more attempt before a 5-minute lock." in responses[1].content.decode()
    assert "Try again in 5 minutes." in responses[2].content.decode()


def test_one_users_wrong_passwords_never_lock_out_another_user_elsewhere(client, reader, settings):
    settings.RATE_LIMIT_LOGINS = (3, 300)
    get_user_model().objects.create_user(username="voisin", password=PASSWORD)
    for _ in range(10):
        client.post(
            reverse("login"), {"username": "agent", "password": "faux"}, REMOTE_ADDR="10.0.0.1"
        )

    response = client.post(
        reverse("login"), {"username": "voisin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_users_guesses_never_lock_the_administrator_out_of_the_admin(client, reader, settings):
    settings.RATE_LIMIT_LOGINS = (3, 300)
    get_user_model().objects.create_superuser(username="admin", password=PASSWORD)
    for url_name in ("login", "admin:login"):
        for _ in range(10):
            client.post(
                reverse(url_name), {"username": "agent", "password": "faux"}, REMOTE_ADDR="10.0.0.1"
            )

    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
    )

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
