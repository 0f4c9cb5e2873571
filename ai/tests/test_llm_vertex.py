"""Vertex AI answers: a service account's token fetched, kept and refreshed; Gemini's stream
read; a wrong key, a dead server and a garbled stream reported plainly."""

import asyncio

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from ai.health import check_language_model
from ai.llm import (
    Prompt,
    ProviderAuthenticationFailed,
    ProviderRejected,
    ProviderUnavailable,
    default_provider,
    google_auth,
    provider_for,
)
from ai.llm.vertex import default_base_url, request_body
from ai.models import LanguageModel
from testing.openai_server import Reply
from testing.services import free_port
from testing.vertex_server import FakeVertexServer, google_error, new_private_key

PROMPT = Prompt(
    messages=[
        {"role": "system", "content": "Réponds avec les extraits."},
        {"role": "user", "content": "Combien de jours de télétravail ?"},
    ],
    question="Combien de jours de télétravail ?",
)
ANSWER = "D'après les documents, la réponse figure dans le premier extrait [1]."
GENERATE = (
    "/v1/projects/projet-test/locations/europe-west9/publishers/google/models/"
    "gemini-2.5-flash:streamGenerateContent"
)


class Clock:
    """The token cache's clock, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(google_auth, "tokens", google_auth.AccessTokens(clock=clock))
    return clock


@pytest.fixture
def server(settings, tmp_path, clock):
    with FakeVertexServer(token_lifetime=3600) as server:
        key_file = tmp_path / "cle-vertex.json"
        key_file.write_text(server.service_account_key())
        settings.LLM_PROVIDER = "vertex"
        settings.LLM_API_BASE = server.base_url
        settings.LLM_API_KEY = ""
        settings.LLM_MODEL = ""
        settings.VERTEX_SERVICE_ACCOUNT_FILE = str(key_file)
        settings.VERTEX_PROJECT = ""
        settings.VERTEX_LOCATION = "europe-west9"
        settings.LLM_MAX_RETRIES = 0
        yield server


async def streamed(provider, prompt=PROMPT) -> list:
    return [delta async for delta in provider.stream(prompt)]


async def answer_text() -> str:
    return "".join(delta.text for delta in await streamed(default_provider()))


def test_vertex_reads_the_key_file_and_addresses_the_region(settings, tmp_path):
    key_file = tmp_path / "cle.json"
    key_file.write_text('{"type": "service_account"}')
    settings.LLM_PROVIDER, settings.LLM_API_KEY, settings.LLM_API_BASE = "vertex", "", ""
    settings.LLM_MODEL, settings.VERTEX_SERVICE_ACCOUNT_FILE = "", str(key_file)
    settings.VERTEX_PROJECT, settings.VERTEX_LOCATION = "mon-projet", "europe-west9"
    provider = default_provider()
    assert provider.base_url == "https://europe-west9-aiplatform.googleapis.com/v1"
    assert provider.api_key == '{"type": "service_account"}'
    assert (provider.project, provider.model) == ("mon-projet", "gemini-2.5-flash")
    assert default_base_url("global") == "https://aiplatform.googleapis.com/v1"


def test_the_system_prompt_is_the_instruction_and_answers_are_the_models_turns():
    messages = [
        {"role": "system", "content": "Consignes."},
        {"role": "user", "content": "Question ?"},
        {"role": "assistant", "content": "Réponse."},
        {"role": "user", "content": "Et ensuite ?"},
    ]
    assert request_body(messages, max_tokens=100, temperature=0.2) == {
        "systemInstruction": {"parts": [{"text": "Consignes."}]},
        "contents": [
            {"role": "user", "parts": [{"text": "Question ?"}]},
            {"role": "model", "parts": [{"text": "Réponse."}]},
            {"role": "user", "parts": [{"text": "Et ensuite ?"}]},
        ],
        "generationConfig": {"temperature": 0.2, "maxOutputTokens": 100},
    }


async def test_the_answer_streams_word_by_word_with_the_token_counts_at_the_end(server):
    deltas = await streamed(default_provider())
    assert len(deltas) > 5
    assert "".join(delta.text for delta in deltas) == ANSWER
    assert deltas[-1].usage.completion_tokens == len(ANSWER.split())
    assert deltas[-1].usage.prompt_tokens == 10
    [request] = server.requests_to(GENERATE)
    assert request.query == "alt=sse"
    assert request.headers["authorization"] == "Bearer ya29.fake-token-1"
    assert request.body["systemInstruction"] == {"parts": [{"text": "Réponds avec les extraits."}]}
    assert request.body["generationConfig"]["maxOutputTokens"] == 1000


async def test_a_category_model_carries_its_key_project_and_region(server, settings):
    settings.VERTEX_SERVICE_ACCOUNT_FILE = ""
    server.project = "autre-projet"
    model = LanguageModel(
        name="Gemini",
        kind=LanguageModel.Kind.VERTEX,
        model="gemini-2.5-pro",
        base_url=server.base_url,
        api_key=server.service_account_key(),
        project="autre-projet",
        location="global",
    )
    assert "".join(delta.text for delta in await streamed(provider_for(model))) == ANSWER
    assert server.requests_to(
        "/v1/projects/autre-projet/locations/global/publishers/google/models/"
        "gemini-2.5-pro:streamGenerateContent"
    )


async def test_a_short_completion_is_returned_whole(server):
    server.chat_answer = lambda request: "  Question réécrite ?  "
    provider = default_provider()
    assert await provider.complete(PROMPT.messages, max_tokens=50) == "Question réécrite ?"
    assert server.requests_to(GENERATE.replace("streamGenerateContent", "generateContent"))


async def test_the_token_is_kept_then_refreshed_five_minutes_before_it_expires(server, clock):
    assert await answer_text() == ANSWER
    clock.now += 3600 - 301
    assert await answer_text() == ANSWER
    assert server.token_exchanges == 1
    clock.now += 2
    assert await answer_text() == ANSWER
    assert server.token_exchanges == 2
    assert server.bearer_tokens() == [
        "ya29.fake-token-1",
        "ya29.fake-token-1",
        "ya29.fake-token-2",
    ]


async def test_questions_asked_at_once_share_one_token(server):
    answers = await asyncio.gather(*(answer_text() for _ in range(6)))
    assert answers == [ANSWER] * 6
    assert server.token_exchanges == 1
    assert set(server.bearer_tokens()) == {"ya29.fake-token-1"}


async def test_a_token_the_api_no_longer_takes_is_replaced_once(server):
    assert await answer_text() == ANSWER
    server.revoke_tokens()
    assert await answer_text() == ANSWER
    assert server.token_exchanges == 2
    assert server.bearer_tokens()[-2:] == ["ya29.fake-token-1", "ya29.fake-token-2"]


async def test_a_key_google_refuses_tells_to_warn_the_administrator(server, settings, tmp_path):
    wrong = tmp_path / "ancienne-cle.json"
    wrong.write_text(server.service_account_key(new_private_key()))
    settings.VERTEX_SERVICE_ACCOUNT_FILE = str(wrong)
    with pytest.raises(ProviderAuthenticationFailed) as failure:
        await streamed(default_provider())
    assert failure.value.message == (
        "Le modèle de langage (Vertex AI) refuse la clé d'API configurée. "
        "Prévenez l'administrateur de Cassandre."
    )
    assert "PRIVATE KEY" not in str(failure.value)
    assert server.requests_to(GENERATE) == []


async def test_a_missing_or_unreadable_key_says_so(server, settings, tmp_path):
    settings.VERTEX_SERVICE_ACCOUNT_FILE = str(tmp_path / "absente.json")
    with pytest.raises(ProviderAuthenticationFailed) as failure:
        await streamed(default_provider())
    assert failure.value.message == (
        "La clé du compte de service du modèle de langage (Vertex AI) est illisible. "
        "Prévenez l'administrateur de Cassandre."
    )


async def test_a_project_the_account_may_not_use_is_a_refused_key(server, settings):
    settings.VERTEX_PROJECT = "projet-d-un-autre"
    with pytest.raises(ProviderAuthenticationFailed):
        await streamed(default_provider())


async def test_a_token_endpoint_down_is_unavailable(server):
    server.token_failures.append(Reply(status=503, body={"error": "backend_error"}))
    with pytest.raises(ProviderUnavailable) as failure:
        await streamed(default_provider())
    assert failure.value.message == (
        "Le modèle de langage (Vertex AI) ne répond pas pour le moment. "
        "Les passages trouvés restent affichés ; réessayez dans un instant."
    )


async def test_an_api_that_cannot_be_reached_is_unavailable(server, settings):
    settings.LLM_API_BASE = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ProviderUnavailable) as failure:
        await streamed(default_provider())
    assert "ne répond pas" in failure.value.message


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (google_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded"), "trop de demandes"),
        (google_error(404, "NOT_FOUND", "Publisher model not found"), "est inconnu"),
        (google_error(400, "INVALID_ARGUMENT", "too long"), "a refusé la demande"),
    ],
)
async def test_refusals_are_explained(server, reply, message):
    server.failures.append(reply)
    with pytest.raises(ProviderRejected) as failure:
        await streamed(default_provider())
    assert message in failure.value.message


async def test_an_answer_stopped_for_safety_is_a_refusal(server):
    stopped = {"candidates": [{"content": {"parts": []}, "finishReason": "SAFETY"}]}
    server.failures.append(
        Reply(stream=iter([f"data: {stopped}\r\n\r\n".replace("'", '"').encode()]))
    )
    with pytest.raises(ProviderRejected) as failure:
        await streamed(default_provider())
    assert "a refusé la demande" in failure.value.message


async def test_a_stream_that_is_not_json_is_reported_as_unreadable(server):
    server.failures.append(Reply(stream=iter([b"data: {not json\r\n\r\n"])))
    with pytest.raises(ProviderUnavailable) as failure:
        await streamed(default_provider())
    assert failure.value.message == (
        "Le modèle de langage (Vertex AI) a envoyé une réponse illisible. Les passages "
        "trouvés restent affichés ; si cela se reproduit, prévenez l'administrateur."
    )


async def test_a_stream_cut_before_its_finish_reason_is_unavailable(server):
    chunk = b'data: {"candidates": [{"content": {"parts": [{"text": "Le "}]}}]}\r\n\r\n'
    server.failures.append(Reply(stream=iter([chunk])))
    with pytest.raises(ProviderUnavailable) as failure:
        await streamed(default_provider())
    assert "ne répond pas" in failure.value.message


def test_a_vertex_model_needs_a_real_service_account_key(db):
    model = LanguageModel(name="Gemini", kind=LanguageModel.Kind.VERTEX, api_key='{"a": 1}')
    with pytest.raises(ValidationError) as failure:
        model.full_clean()
    assert failure.value.message_dict["api_key"] == [
        "Ce JSON n'est pas une clé de compte de service Google "
        "(« type »: « service_account » attendu)."
    ]


def test_a_vertex_model_with_a_key_and_a_region_is_valid(db):
    with FakeVertexServer() as server:
        key = server.service_account_key()
    model = LanguageModel(
        name="Gemini", kind=LanguageModel.Kind.VERTEX, api_key=key, location="europe-west9"
    )
    model.full_clean()


@pytest.mark.parametrize("location", ["europe west9", "evil.example.org/x", "-a"])
def test_a_region_is_a_plain_name(db, location):
    model = LanguageModel(name="Gemini", kind=LanguageModel.Kind.VERTEX, location=location)
    with pytest.raises(ValidationError) as failure:
        model.full_clean()
    assert "location" in failure.value.message_dict


def test_the_health_check_flags_a_vertex_site_without_a_usable_key(settings, tmp_path):
    settings.LLM_PROVIDER, settings.LLM_API_KEY, settings.LLM_API_BASE = "vertex", "", ""
    settings.VERTEX_SERVICE_ACCOUNT_FILE = str(tmp_path / "absente.json")
    with pytest.raises(ImproperlyConfigured, match="no API key"):
        check_language_model()
    settings.LLM_API_KEY = '{"type": "authorized_user"}'
    with pytest.raises(ImproperlyConfigured, match="unreadable service account key"):
        check_language_model()
