"""Who reads which category: its groups and users, every logged-in user, or anyone (public)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from documents.models import Category
from documents.selectors import categories_read_by, readable_categories, readable_category_ids
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

GROUPS, INTERNAL, PUBLIC = Category.Visibility


@pytest.fixture
def categories():
    return {
        "granted": CategoryFactory(name="Accordée", visibility=GROUPS),
        "restricted": CategoryFactory(name="Réservée", visibility=GROUPS),
        "internal": CategoryFactory(name="Interne", visibility=INTERNAL),
        "public": CategoryFactory(name="Publique", visibility=PUBLIC),
    }


@pytest.fixture
def agent(django_user_model, categories):
    group = Group.objects.create(name="Agents RH")
    categories["granted"].groups.add(group)
    user = django_user_model.objects.create_user("agent")
    user.groups.add(group)
    return user


def names(user) -> set[str]:
    return set(readable_categories(user).values_list("name", flat=True))


def test_a_user_reads_the_categories_of_their_groups_and_the_open_ones(agent):
    assert names(agent) == {"Accordée", "Interne", "Publique"}


def test_a_user_without_groups_reads_only_the_open_categories(django_user_model, categories):
    assert names(django_user_model.objects.create_user("nouveau")) == {"Interne", "Publique"}


def test_a_category_granted_to_two_of_a_users_groups_is_listed_once(agent, categories):
    other = Group.objects.create(name="Encadrement")
    agent.groups.add(other)
    categories["granted"].groups.add(other)
    assert list(readable_categories(agent)).count(categories["granted"]) == 1


def test_a_user_reads_the_categories_granted_to_them_by_name(django_user_model, categories):
    user = django_user_model.objects.create_user("nommée")
    categories["restricted"].readers.add(user)
    assert names(user) == {"Réservée", "Interne", "Publique"}


def test_a_category_granted_by_name_and_through_a_group_is_listed_once(agent, categories):
    categories["granted"].readers.add(agent)
    assert list(readable_categories(agent)).count(categories["granted"]) == 1


def test_the_readable_categories_are_one_query(agent, categories, django_assert_num_queries):
    categories["restricted"].readers.add(agent)
    with django_assert_num_queries(1):
        assert len(list(readable_categories(agent))) == 4


def test_a_user_is_told_why_they_read_each_category(agent, categories):
    categories["granted"].readers.add(agent)
    categories["internal"].groups.add(agent.groups.get())

    grounds = {
        reading.category.name: (reading.by_name, reading.through_groups, reading.open_to_signed_in)
        for reading in categories_read_by(agent)
    }

    assert grounds == {
        "Accordée": (True, ("Agents RH",), False),
        "Interne": (False, ("Agents RH",), True),
        "Publique": (False, (), True),
    }


def test_staff_read_every_category(django_user_model, categories):
    editor = django_user_model.objects.create_user("éditrice", is_staff=True)
    assert names(editor) == {"Accordée", "Réservée", "Interne", "Publique"}
    assert readable_category_ids(editor) is None


def test_visitors_read_nothing_unless_the_site_has_public_categories(categories, settings):
    assert names(AnonymousUser()) == set()
    settings.PUBLIC_CATEGORIES = True
    assert names(AnonymousUser()) == {"Publique"}


def test_the_ids_are_those_of_the_readable_categories(agent, categories):
    expected = {categories[key].pk for key in ("granted", "internal", "public")}
    assert set(readable_category_ids(agent)) == expected


def test_categories_existing_before_access_control_stay_open_to_logged_in_users(
    migrator_categories,
):
    assert migrator_categories == {"internal"}


@pytest.fixture
def migrator_categories(transactional_db):
    """Migrate back before the visibility field, create a category, migrate forward."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("documents", "0007_category_language_model_contact")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("documents", "Category").objects.create(name="Ancienne", slug="ancienne")
    call_command("migrate", verbosity=0)
    return set(Category.objects.values_list("visibility", flat=True))
