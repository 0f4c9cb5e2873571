"""The claims the test provider gives: name, e-mail, and groups read from `groups.json`."""

import json

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


def groups_of(username: str) -> list[str]:
    """The groups `groups.json` gives this person now (the test rewrites that file)."""
    path = settings.DATA_DIR / "groups.json"
    return json.loads(path.read_text()).get(username, []) if path.exists() else []


class GroupsClaimValidator(OAuth2Validator):
    # Every claim whatever the scopes asked: the groups belong to no standard scope.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": groups_of(user.username),
        }
