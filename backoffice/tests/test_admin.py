"""The user admin: the categories a user reads and why, and those granted by name, changed
on the user's page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from documents.models import Category
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

GROUPS, INTERNAL = Category.Visibility.GROUPS, Category.Visibility.INTERNAL


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("nouvelle.recrue", first_name="Léa")


def user_page(admin_client, user) -> str:
    return admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()


def change_form(user, **changes) -> dict[str, object]:
    """What the user's page posts back unchanged, with `changes`."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        **changes,
    }


def test_the_user_s_page_lists_what_they_read_and_why(admin_client, user):
    group = Group.objects.create(name="Agents RH")
    user.groups.add(group)
    CategoryFactory(name="Paie", visibility=GROUPS).readers.add(user)
    CategoryFactory(name="Congés", visibility=GROUPS).groups.add(group)
    CategoryFactory(name="Guide de l'agent", visibility=INTERNAL)
    CategoryFactory(name="Direction", visibility=GROUPS)

    page = user_page(admin_client, user)

    assert "Paie</a> — accordée nommément" in page
    assert "Congés</a> — par le groupe « Agents RH »" in page
    assert "Guide de l&#x27;agent</a> — ouverte à tous les utilisateurs connectés" in page
    assert "Direction</a>" not in page


def test_the_user_s_page_says_when_they_read_nothing(admin_client, user):
    CategoryFactory(name="Direction", visibility=GROUPS)
    assert "Aucune : cet utilisateur ne voit aucune catégorie" in user_page(admin_client, user)


def test_the_user_s_page_says_staff_read_everything(admin_client, admin_user):
    assert "Toutes : les membres de l&#x27;équipe" in user_page(admin_client, admin_user)


def test_categories_are_granted_and_withdrawn_by_name_on_the_user_s_page(admin_client, user):
    payroll = CategoryFactory(name="Paie", visibility=GROUPS)
    leave = CategoryFactory(name="Congés", visibility=GROUPS)
    leave.readers.add(user)
    url = reverse("admin:auth_user_change", args=[user.pk])

    response = admin_client.post(url, change_form(user, granted_categories=[payroll.pk]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(user.granted_categories.all()) == [payroll]


def test_adding_a_user_leads_to_their_page_where_categories_are_granted(admin_client):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "arrivant",
            "password1": "Un-mot-de-passe-1",
            "password2": "Un-mot-de-passe-1",
        },
    )
    assert response.status_code == 302
    assert "/change/" in response["Location"]
