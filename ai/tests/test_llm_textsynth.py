"""TextSynth answers: its chat API streamed, its refusals explained, its faults reported."""

import pytest

from ai.llm import (
    Prompt,
    ProviderAuthenticationFailed,
    ProviderRejected,
    ProviderUnavailable,
    default_provider,
    provider_for,
)
from ai.llm.textsynth import chat_body
from ai.models import LanguageModel
from testing.openai_server import Reply
from testing.services import free_port
from testing.textsynth_server import FakeTextSynthServer, textsynth_error

PROMPT = Prompt(
    messages=[
        {"role": "system", "content": "Réponds avec les extraits."},
        {"role": "user", "content": "Combien de jours de télétravail ?"},
    ],
    question="Combien de jours de télétravail ?",
)
ANSWER = "D'après les documents, la réponse figure dans le premier extrait [1]."


@pytest.fixture
def server(settings):
    with FakeTextSynthServer(api_key="ts-good-key") as server:
        settings.LLM_PROVIDER = "textsynth"
        settings.LLM_API_BASE = server.base_url
        settings.LLM_API_KEY = ""
        settings.TEXTSYNTH_API_KEY = "ts-good-key"
        settings.LLM_MODEL = ""
        settings.LLM_MAX_RETRIES = 0
        yield server


async def streamed(provider, prompt=PROMPT) -> list:
    return [delta async for delta in provider.stream(prompt)]


def test_textsynth_uses_its_key_its_address_and_an_instruct_engine(settings):
    settings.LLM_PROVIDER, settings.LLM_API_KEY, settings.LLM_API_BASE = "textsynth", "", ""
    settings.LLM_MODEL, settings.TEXTSYNTH_API_KEY = "", "ts-key"
    provider = default_provider()
    assert provider.base_url == "https://api.textsynth.com/v1"
    assert provider.api_key == "ts-key" and provider.model == "mistral_7B_instruct"
    assert provider.label == "TextSynth (mistral_7B_instruct)"


async def test_the_answer_streams_word_by_word_with_the_token_counts_at_the_end(server):
    deltas = await streamed(default_provider())
    assert len(deltas) > 5
    assert "".join(delta.text for delta in deltas) == ANSWER
    assert deltas[-1].usage.completion_tokens == len(ANSWER.split())
    assert deltas[-1].usage.prompt_tokens == 10
    [request] = server.requests_to("/v1/engines/mistral_7B_instruct/chat")
    assert request.headers["authorization"] == "Bearer ts-good-key"
    assert request.body["system"] == "Réponds avec les extraits."
    assert request.body["messages"] == ["Combien de jours de télétravail ?"]
    assert request.body["stream"] is True and request.body["max_tokens"] == 1000


async def test_a_category_model_names_its_engine(server):
    model = LanguageModel(
        name="TextSynth Llama",
        kind=LanguageModel.Kind.TEXTSYNTH,
        model="llama3.3_70B_instruct",
        base_url=server.base_url,
        api_key="ts-good-key",
    )
    assert "".join(delta.text for delta in await streamed(provider_for(model))) == ANSWER
    assert server.requests_to("/v1/engines/llama3.3_70B_instruct/chat")


async def test_a_short_completion_is_returned_whole(server):
    server.chat_answer = lambda request: "  Question réécrite ?  "
    provider = default_provider()
    assert await provider.complete(PROMPT.messages, max_tokens=50) == "Question réécrite ?"
    [request] = server.requests_to("/v1/engines/mistral_7B_instruct/chat")
    assert request.body["stream"] is False and request.body["temperature"] == 0


def test_the_conversation_becomes_alternating_turns_the_persons_first():
    body = chat_body(
        [
            {"role": "system", "content": "Consignes."},
            {"role": "assistant", "content": "Bonjour."},
            {"role": "user", "content": "Question ?"},
            {"role": "user", "content": "Précision."},
        ],
        max_tokens=10,
    )
    assert body == {
        "system": "Consignes.",
        "messages": ["", "Bonjour.", "Question ?\n\nPrécision."],
        "max_tokens": 10,
    }


async def test_a_wrong_key_is_reported_without_quoting_it(server, settings):
    settings.TEXTSYNTH_API_KEY = "ts-secret-but-wrong"
    with pytest.raises(ProviderAuthenticationFailed) as failure:
        await streamed(default_provider())
    assert failure.value.message == (
        "Le modèle de langage (TextSynth) refuse la clé d'API configurée. "
        "Prévenez l'administrateur de Cassandre."
    )
    assert "ts-secret" not in str(failure.value)


async def test_a_server_that_cannot_be_reached_is_unavailable(settings):
    settings.LLM_PROVIDER, settings.LLM_MODEL, settings.LLM_API_KEY = "textsynth", "", "k"
    settings.LLM_API_BASE = f"http://127.0.0.1:{free_port()}/v1"
    settings.LLM_MAX_RETRIES = 0
    with pytest.raises(ProviderUnavailable) as failure:
        await streamed(default_provider())
    assert failure.value.message == (
        "Le modèle de langage (TextSynth) ne répond pas pour le moment. "
        "Les passages trouvés restent affichés ; réessayez dans un instant."
    )


async def test_server_errors_are_retried_before_the_answer_starts(server, settings):
    settings.LLM_MAX_RETRIES = 2
    server.failures.extend([textsynth_error(503, "busy"), textsynth_error(502, "bad gateway")])
    assert "".join(delta.text for delta in await streamed(default_provider())) == ANSWER
    assert len(server.requests_to("/v1/engines/mistral_7B_instruct/chat")) == 3


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (textsynth_error(429, "too many requests"), "trop de demandes"),
        (textsynth_error(404, "unknown engine"), "est inconnu"),
        (textsynth_error(400, "prompt too long"), "a refusé la demande"),
    ],
)
async def test_refusals_are_explained(server, reply, message):
    server.failures.append(reply)
    with pytest.raises(ProviderRejected) as failure:
        await streamed(default_provider())
    assert message in failure.value.message


async def test_a_stream_that_is_not_json_is_reported_as_unreadable(server):
    garbage = [b'{"text": "Le ", "reached_end": false}\n\n', b"<html>proxy error</html>\n\n"]
    server.failures.append(Reply(stream=iter(garbage)))
    with pytest.raises(ProviderUnavailable) as failure:
        await streamed(default_provider())
    assert "réponse illisible" in failure.value.message


async def test_a_stream_cut_before_its_end_is_unavailable(server):
    server.failures.append(Reply(stream=iter([b'{"text": "Le ", "reached_end": false}\n\n'])))
    with pytest.raises(ProviderUnavailable) as failure:
        await streamed(default_provider())
    assert "ne répond pas" in failure.value.message
