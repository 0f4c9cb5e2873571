"""Users who sign in through an OpenID Connect provider: found by the provider's subject,
created on their first sign-in, their groups following the provider's claim each time.

Plain functions on claims already verified (common.oidc checks the tokens).
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction

from common.models import ProviderIdentity

USERNAME_MAX_LENGTH = 150
GROUP_NAME_MAX_LENGTH = 150


def group_names(claims: Mapping[str, Any], claim: str) -> set[str]:
    """The group names the claim carries: a list of names, or one name. Anything else in it
    (numbers, objects) names no group."""
    value = claims.get(claim) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return set()
    return {name.strip()[:GROUP_NAME_MAX_LENGTH] for name in value if isinstance(name, str)} - {""}


def sync_groups(identity: ProviderIdentity, names: set[str]) -> None:
    """Give the user the groups named, creating the missing ones, and take back those the
    provider gave before and names no more. Groups the user holds from elsewhere (the
    admin, the editors' role) are never taken back, even when the provider named them too."""
    user = identity.user
    wanted = {Group.objects.get_or_create(name=name)[0] for name in names}
    held = set(user.groups.all())
    from_provider = set(identity.groups.all())
    given_locally = held - from_provider
    user.groups.remove(*(from_provider - wanted))
    user.groups.add(*(wanted - held))
    identity.groups.set(wanted - given_locally)


def free_username(claims: Mapping[str, Any]) -> str:
    """A username for a new user: the provider's preferred one, else the e-mail address,
    else the subject; numbered when a local account already has it, so that a provider
    account never becomes a local one (the administrator's) by naming itself after it."""
    base = (claims.get("preferred_username") or claims.get("email") or claims["sub"]).strip()[
        : USERNAME_MAX_LENGTH - 4
    ]
    users = get_user_model().objects
    candidate, number = base, 1
    while users.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def update_profile(user: AbstractUser, claims: Mapping[str, Any]) -> None:
    """The name and e-mail address as the provider knows them."""
    user.email = claims.get("email") or user.email
    user.first_name = (claims.get("given_name") or user.first_name)[:150]
    user.last_name = (claims.get("family_name") or user.last_name)[:150]
    user.save(update_fields=["email", "first_name", "last_name"])


@transaction.atomic
def sign_in_from_claims(
    *, issuer: str, claims: Mapping[str, Any], groups_claim: str
) -> AbstractUser:
    """The user the provider vouched for, created on their first sign-in, with their
    profile and groups as the claims say."""
    identity = (
        ProviderIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=claims["sub"])
        .first()
    )
    if identity is None:
        user = get_user_model().objects.create_user(username=free_username(claims))
        identity = ProviderIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"])
    update_profile(identity.user, claims)
    sync_groups(identity, group_names(claims, groups_claim))
    return identity.user
