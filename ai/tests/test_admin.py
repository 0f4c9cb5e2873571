"""Language and reranking models in the admin: the API key is written, never read back."""

import pytest
from django.urls import reverse

from ai.admin import KEY_AGAIN
from ai.models import LanguageModel, RerankModel
from testing.vertex_server import FakeVertexServer

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


def test_a_new_address_needs_the_key_again_so_the_stored_one_cannot_be_sent_there(
    admin_client, language_model
):
    moved = form_data(language_model, base_url="http://serveur-d-un-tiers:8000/v1")
    response = admin_client.post(change_url(language_model), moved)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["api_key"] == [KEY_AGAIN]
    language_model.refresh_from_db()
    assert language_model.base_url == "http://vllm:8000/v1"
    response = admin_client.post(change_url(language_model), {**moved, "api_key": "sk-new"})
    assert response.status_code == 302
    language_model.refresh_from_db()
    assert (language_model.base_url, language_model.api_key) == (moved["base_url"], "sk-new")


def test_a_new_address_may_go_without_a_key_once_it_is_forgotten(admin_client, language_model):
    moved = form_data(language_model, base_url="http://ollama:11434/v1", forget_api_key="on")
    assert admin_client.post(change_url(language_model), moved).status_code == 302
    language_model.refresh_from_db()
    assert (language_model.base_url, language_model.api_key) == (moved["base_url"], "")


def test_a_rerank_model_s_new_address_needs_its_key_again(admin_client, rerank_model):
    moved = rerank_form_data(rerank_model, base_url="http://serveur-d-un-tiers:8080")
    response = admin_client.post(rerank_change_url(rerank_model), moved)
    assert response.context["adminform"].form.errors["api_key"] == [KEY_AGAIN]


def test_the_model_rules_show_on_the_form(admin_client, language_model):
    response = admin_client.post(
        change_url(language_model), form_data(language_model, max_answer_tokens=20000)
    )
    assert "La réponse doit tenir dans la fenêtre de contexte." in response.content.decode()


def test_the_add_form_offers_textsynth_and_vertex_with_their_help(admin_client):
    page = admin_client.get(reverse("admin:ai_languagemodel_add")).content.decode()
    assert '<option value="textsynth">TextSynth</option>' in page
    assert '<option value="vertex">Vertex AI (Google Cloud, Gemini)</option>' in page
    assert "le fichier JSON de la clé du compte de service" in page
    assert "Vertex AI seulement, par exemple europe-west9 ou global" in page


def test_a_vertex_model_is_added_with_its_service_account_key(admin_client):
    with FakeVertexServer() as server:
        key = server.service_account_key()
    response = admin_client.post(
        reverse("admin:ai_languagemodel_add"),
        {
            "name": "Gemini",
            "kind": "vertex",
            "model": "gemini-2.5-flash",
            "base_url": "",
            "api_key": key,
            "project": "",
            "location": "europe-west9",
            "context_window": 32000,
            "max_answer_tokens": 1000,
            "temperature": 0.2,
        },
    )
    assert response.status_code == 302
    model = LanguageModel.objects.get(name="Gemini")
    assert model.api_key == key and model.location == "europe-west9"
    page = admin_client.get(change_url(model)).content.decode()
    assert "PRIVATE KEY" not in page


def test_a_vertex_model_refuses_a_key_that_is_not_a_service_account(admin_client, language_model):
    response = admin_client.post(
        change_url(language_model),
        form_data(language_model, kind="vertex", api_key='{"type": "authorized_user"}'),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["api_key"] == [
        "Ce JSON n'est pas une clé de compte de service Google "
        "(« type »: « service_account » attendu)."
    ]


@pytest.fixture
def rerank_model() -> RerankModel:
    return RerankModel.objects.create(
        name="TEI interne", base_url="http://tei:8080", model="bge-reranker-v2-m3", api_key=SECRET
    )


def rerank_form_data(rerank_model: RerankModel, **changes) -> dict:
    return {
        "name": rerank_model.name,
        "base_url": rerank_model.base_url,
        "model": rerank_model.model,
        "api_key": "",
        "timeout": rerank_model.timeout,
        **changes,
    }


def rerank_change_url(rerank_model: RerankModel) -> str:
    return reverse("admin:ai_rerankmodel_change", args=[rerank_model.pk])


def test_the_rerank_model_pages_load(admin_client, rerank_model):
    assert admin_client.get(reverse("admin:ai_rerankmodel_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:ai_rerankmodel_add")).status_code == 200
    assert admin_client.get(rerank_change_url(rerank_model)).status_code == 200


def test_a_rerank_model_is_added_with_its_key(admin_client):
    response = admin_client.post(
        reverse("admin:ai_rerankmodel_add"),
        {
            "name": "Albert",
            "base_url": "https://albert.api.etalab.gouv.fr/v1",
            "model": "",
            "api_key": "albert-key",
            "timeout": "3",
        },
    )

    assert response.status_code == 302
    assert RerankModel.objects.get(name="Albert").api_key == "albert-key"


def test_the_stored_rerank_key_is_never_shown_back(admin_client, rerank_model):
    page = admin_client.get(rerank_change_url(rerank_model)).content.decode()
    listing = admin_client.get(reverse("admin:ai_rerankmodel_changelist")).content.decode()

    assert SECRET not in page and SECRET not in listing
    assert "Une clé est enregistrée" in page


def test_a_blank_rerank_key_keeps_the_stored_one(admin_client, rerank_model):
    response = admin_client.post(
        rerank_change_url(rerank_model), rerank_form_data(rerank_model, model="bge-m3")
    )

    assert response.status_code == 302
    rerank_model.refresh_from_db()
    assert (rerank_model.model, rerank_model.api_key) == ("bge-m3", SECRET)


def test_the_stored_rerank_key_can_be_forgotten(admin_client, rerank_model):
    admin_client.post(
        rerank_change_url(rerank_model), rerank_form_data(rerank_model, forget_api_key="on")
    )

    rerank_model.refresh_from_db()
    assert rerank_model.api_key == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"timeout": "0.1"}, "timeout", id="timeout too short"),
        pytest.param({"timeout": "600"}, "timeout", id="timeout too long"),
        pytest.param({"base_url": "tei:8080"}, "base_url", id="address without a scheme"),
    ],
)
def test_a_rerank_model_s_rules_show_on_the_form(admin_client, rerank_model, changes, field):
    response = admin_client.post(
        rerank_change_url(rerank_model), rerank_form_data(rerank_model, **changes)
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
