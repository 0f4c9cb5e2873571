"""What every response carries, whatever view made it: the API's errors in JSON."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ELEVEN_MEGABYTES = b'{"question": "' + b"a" * (11 * 1024 * 1024) + b'"}'


@pytest.mark.parametrize(
    "url",
    [reverse("api_v1:answer-task-create"), reverse("api_v1:answer", args=["rh"])],
    ids=["async_search", "search"],
)
def test_an_api_body_over_the_limit_gets_a_json_413_saying_so(admin_client, url):
    response = admin_client.post(url, ELEVEN_MEGABYTES, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "La requête est trop volumineuse (10 Mo au plus).",
        "code": "too_large",
    }


def test_a_page_body_over_the_limit_gets_the_html_413_page(client):
    body = b"username=agent&password=" + b"a" * (11 * 1024 * 1024)
    response = client.post(reverse("login"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]
