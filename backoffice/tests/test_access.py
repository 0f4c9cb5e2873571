"""The backoffice is for staff: a visitor is sent to the site's sign-in page and comes back
after it; a signed-in user who is not staff is told the page is not theirs (403) with a way
back, never offered the admin's sign-in form, from which they could go nowhere."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from chat.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BACKOFFICE_URLS = [
    reverse("backoffice:dashboard"),
    reverse("backoffice:inspector"),
    reverse("backoffice:upload"),
    reverse("backoffice:evaluation"),
    reverse("backoffice:document-progress") + "?ids=1",
]


@pytest.mark.parametrize("url", BACKOFFICE_URLS)
def test_a_visitor_is_sent_to_the_sites_sign_in_page_and_back(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?{urlencode({'next': url}, safe='/')}"


@pytest.mark.parametrize("url", BACKOFFICE_URLS)
def test_a_user_who_is_not_staff_is_refused_with_a_way_back_to_the_search(client, url):
    client.force_login(UserFactory(is_staff=False))

    response = client.get(url)
    page = response.content.decode()

    assert response.status_code == 403
    assert "Accès refusé" in page and "réservée à l'équipe" in page
    assert f'href="{reverse("chat:search")}"' in page
    assert 'name="password"' not in page


def test_the_refusal_is_in_english_for_an_english_reader(client):
    client.force_login(UserFactory(is_staff=False))
    page = client.get(BACKOFFICE_URLS[0], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Access denied" in page


def test_a_user_who_is_not_staff_opening_the_admin_is_refused_the_same_way(client):
    client.force_login(UserFactory(is_staff=False))

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403 and "Accès refusé" in response.content.decode()


def test_a_visitor_opening_the_admin_gets_its_sign_in_form_for_staff(client):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200 and 'name="password"' in response.content.decode()
