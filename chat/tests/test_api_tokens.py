"""API tokens are managed in the admin: created for a user, and revoked by deleting them."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from chat.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("chat_api:search")


def search_with(client, key: str):
    return client.get(SEARCH_URL, {"q": "congés"}, HTTP_AUTHORIZATION=f"Token {key}")


def test_the_admin_lists_the_tokens(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert reverse("admin:authtoken_tokenproxy_changelist") in response.content.decode()


def test_a_token_created_in_the_admin_opens_the_api_and_once_deleted_gets_401(admin_client, client):
    agent = UserFactory()
    response = admin_client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": agent.pk})
    assert response.status_code == 302, response.content.decode()
    key = Token.objects.get(user=agent).key
    assert search_with(client, key).status_code == 200

    delete_url = reverse("admin:authtoken_tokenproxy_delete", args=[agent.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Token.objects.filter(user=agent).exists()
    response = search_with(client, key)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
