"""Editors manage documents and corrections; administrators (superusers) everything else."""

import pytest
from django.contrib.auth.models import Group

from ai.models import RerankModel
from backoffice.roles import EDITORS, ensure_editor_group
from documents.models import CategoryExport
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, django_user_model):
    editor = django_user_model.objects.create_user("éditrice", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    return client


def test_the_editors_group_exists_after_migrating_and_can_be_restored():
    group = Group.objects.get(name=EDITORS)
    group.permissions.clear()
    assert ensure_editor_group().permissions.filter(codename="add_document").exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/documents/document/add/",
        "/admin/documents/correction/add/",
        "/admin/documents/glossaryentry/add/",
        "/admin/chat/correctionproposal/",
        "/admin/chat/exchange/",
        "/backoffice/documents/upload/",
    ],
)
def test_editors_manage_documents_corrections_and_the_review_queue(editor_client, url):
    assert editor_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/documents/category/add/",
        "/admin/ai/languagemodel/",
        "/admin/ai/rerankmodel/",
        "/admin/ai/rerankmodel/add/",
        "/admin/auth/user/",
        "/admin/authtoken/tokenproxy/",
    ],
)
def test_editors_cannot_touch_categories_models_users_or_tokens(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_editors_see_a_category_but_cannot_change_its_access(editor_client):
    category = CategoryFactory()
    page = editor_client.get(f"/admin/documents/category/{category.pk}/change/")
    assert page.status_code == 200
    assert 'name="visibility"' not in page.content.decode()
    assert 'name="groups"' not in page.content.decode()
    assert 'name="readers"' not in page.content.decode()


def test_editors_see_a_category_s_reranking_but_cannot_change_it(editor_client):
    rerank_model = RerankModel.objects.create(name="TEI interne", base_url="http://tei:8080")
    category = CategoryFactory(rerank_model=rerank_model)

    page = editor_client.get(f"/admin/documents/category/{category.pk}/change/").content.decode()

    assert "TEI interne" in page
    assert 'name="rerank_model"' not in page


@pytest.mark.parametrize("action", ["reindex", "export_zip"])
def test_editors_can_neither_reindex_nor_export_a_category(editor_client, action):
    """Both act on a whole category, whose change permission editors do not have."""
    category = CategoryFactory()
    url = "/admin/documents/category/"
    assert f'value="{action}"' not in editor_client.get(url).content.decode()

    response = editor_client.post(
        url, {"action": action, "_selected_action": [category.pk]}, follow=True
    )

    said = [str(message) for message in response.context["messages"]]
    assert not any("réindexation" in text or "préparation" in text for text in said)
    assert not CategoryExport.objects.exists()
