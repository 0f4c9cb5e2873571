"""Users of the OpenID provider: created once, found by subject, groups as the claim says."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from common.identities import group_names, sign_in_from_claims, sync_groups
from common.models import ProviderIdentity

ISSUER = "https://idp.example.org"


def sign_in(groups: list[str], **claims):
    return sign_in_from_claims(
        issuer=ISSUER,
        claims={"sub": "abc-123", "email": "camille@example.org", "groups": groups, **claims},
        groups_claim="groups",
    )


def names(user) -> set[str]:
    return {group.name for group in user.groups.all()}


def test_the_claim_may_be_a_list_or_one_name_and_anything_else_names_no_group():
    assert group_names({"groups": ["RH", " Paie ", "", 3]}, "groups") == {"RH", "Paie"}
    assert group_names({"roles": "RH"}, "roles") == {"RH"}
    assert group_names({"groups": {"RH": True}}, "groups") == set()
    assert group_names({}, "groups") == set()


@pytest.mark.django_db
def test_a_first_sign_in_creates_a_user_without_password_and_the_missing_groups():
    user = sign_in(["Juristes"], preferred_username="camille", given_name="Camille")

    assert user.username == "camille" and user.first_name == "Camille"
    assert not user.has_usable_password()
    assert names(user) == {"Juristes"} and Group.objects.filter(name="Juristes").exists()


@pytest.mark.django_db
def test_the_next_sign_in_finds_the_user_by_subject_even_with_a_new_email():
    first = sign_in([])
    again = sign_in([], email="c.martin@example.org")

    assert again.pk == first.pk and again.email == "c.martin@example.org"
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_a_provider_account_named_like_a_local_one_gets_its_own_user():
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "x")

    user = sign_in([], preferred_username="admin", email="admin@example.org")

    assert user.pk != admin.pk and user.username == "admin-2"
    assert not user.is_staff and not user.is_superuser


@pytest.mark.django_db
def test_a_group_the_claim_no_longer_names_is_taken_back():
    sign_in(["Juristes", "RH"])

    user = sign_in(["Juristes"])

    assert names(user) == {"Juristes"}


@pytest.mark.django_db
def test_a_group_given_in_the_admin_stays_whatever_the_claim_says():
    user = sign_in(["RH"])
    user.groups.add(Group.objects.get_or_create(name="Éditeurs")[0])

    sign_in(["RH", "Éditeurs"])
    user = sign_in([])

    assert names(user) == {"Éditeurs"}


@pytest.mark.django_db
def test_the_identity_remembers_only_the_groups_the_provider_gave():
    user = get_user_model().objects.create_user("camille")
    user.groups.add(Group.objects.get_or_create(name="Éditeurs")[0])
    identity = ProviderIdentity.objects.create(user=user, issuer=ISSUER, subject="abc-123")

    sync_groups(identity, {"Éditeurs", "RH"})

    assert {group.name for group in identity.groups.all()} == {"RH"}
    assert names(user) == {"Éditeurs", "RH"}
