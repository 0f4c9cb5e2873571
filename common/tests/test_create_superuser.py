from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run_command() -> str:
    out = StringIO()
    call_command("create_superuser", stdout=out)
    return out.getvalue()


def test_without_a_password_one_is_generated_printed_once_and_works(settings):
    settings.DJANGO_SUPERUSER_USERNAME = "admin"
    settings.DJANGO_SUPERUSER_PASSWORD = ""
    output = run_command()
    password = output.split("generated password ")[1].split()[0]
    assert len(password) >= 16
    assert authenticate(username="admin", password=password).is_superuser
    assert password not in run_command()


def test_the_password_from_the_environment_is_used(settings):
    settings.DJANGO_SUPERUSER_USERNAME = "chef"
    settings.DJANGO_SUPERUSER_EMAIL = "chef@example.org"
    settings.DJANGO_SUPERUSER_PASSWORD = "un mot de passe solide"
    assert "created" in run_command()
    user = authenticate(username="chef", password="un mot de passe solide")
    assert user.is_superuser and user.is_staff and user.email == "chef@example.org"


def test_an_existing_account_is_left_untouched(settings, django_user_model):
    django_user_model.objects.create_user(username="admin", password="ancien mot de passe")
    settings.DJANGO_SUPERUSER_USERNAME = "admin"
    settings.DJANGO_SUPERUSER_PASSWORD = "nouveau mot de passe"
    assert "already exists" in run_command()
    assert authenticate(username="admin", password="ancien mot de passe")
    assert get_user_model().objects.count() == 1


def test_two_generated_passwords_differ(settings):
    settings.DJANGO_SUPERUSER_PASSWORD = ""
    settings.DJANGO_SUPERUSER_USERNAME = "premier"
    first = run_command().split("generated password ")[1].split()[0]
    settings.DJANGO_SUPERUSER_USERNAME = "second"
    second = run_command().split("generated password ")[1].split()[0]
    assert first != second
