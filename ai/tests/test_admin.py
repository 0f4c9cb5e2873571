"""Language models in the admin: the API key is written, never read back."""

import pytest
from django.urls import reverse

from ai.models import LanguageModel

pytestmark = pytest.mark.django_db

SECRET = "sk-secret-0123456789"


@pytest.fixture
def language_model() -> LanguageModel:
    return LanguageModel.objects.create(
        name="vLLM interne",
        kind=LanguageModel.Kind.COMPATIBLE,
        model="mistral-small",
        base_url="http://vllm:8000/v1",
        api_key=SECRET,
    )


def form_data(language_model: LanguageModel, **changes) -> dict:
    return {
        "name": language_model.name,
        "kind": language_model.kind,
        "model": language_model.model,
        "base_url": language_model.base_url,
        "api_key": "",
        "context_window": language_model.context_window,
        "max_answer_tokens": language_model.max_answer_tokens,
        "temperature": language_model.temperature,
        **changes,
    }


def change_url(language_model: LanguageModel) -> str:
    return reverse("admin:ai_languagemodel_change", args=[language_model.pk])


def test_the_admin_pages_load(admin_client, language_model):
    assert admin_client.get(reverse("admin:ai_languagemodel_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:ai_languagemodel_add")).status_code == 200


def test_the_stored_api_key_is_never_shown_back(admin_client, language_model):
    page = admin_client.get(change_url(language_model)).content.decode()
    assert SECRET not in page
    assert "Une clé est enregistrée" in page


def test_a_blank_api_key_keeps_the_stored_one(admin_client, language_model):
    response = admin_client.post(change_url(language_model), form_data(language_model, model="x"))
    assert response.status_code == 302
    language_model.refresh_from_db()
    assert (language_model.model, language_model.api_key) == ("x", SECRET)


def test_a_new_api_key_replaces_the_stored_one(admin_client, language_model):
    admin_client.post(change_url(language_model), form_data(language_model, api_key="sk-new"))
    language_model.refresh_from_db()
    assert language_model.api_key == "sk-new"


def test_the_stored_api_key_can_be_forgotten(admin_client, language_model):
    admin_client.post(change_url(language_model), form_data(language_model, forget_api_key="on"))
    language_model.refresh_from_db()
    assert language_model.api_key == ""


def test_the_model_rules_show_on_the_form(admin_client, language_model):
    response = admin_client.post(
        change_url(language_model), form_data(language_model, max_answer_tokens=20000)
    )
    assert "La réponse doit tenir dans la fenêtre de contexte." in response.content.decode()
