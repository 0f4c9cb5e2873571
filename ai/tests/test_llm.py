"""Answer providers: which one answers, how they stream, and how they fail."""

import pytest
from django.core.exceptions import ValidationError

from ai.llm import (
    NumberedPassage,
    Prompt,
    ProviderAuthenticationFailed,
    ProviderRejected,
    ProviderUnavailable,
    default_provider,
    provider_for,
)
from ai.llm.extractive import EXTRACTIVE_NOTICE, ExtractiveProvider, extractive_answer
from ai.models import LanguageModel, validate_api_url
from testing.openai_server import FakeOpenAIServer, Reply, error_reply
from testing.services import free_port

PROMPT = Prompt(messages=[{"role": "user", "content": "Bonjour"}], question="Bonjour")


@pytest.fixture
def server(settings):
    with FakeOpenAIServer(api_key="good-key") as server:
        settings.LLM_PROVIDER = "compatible"
        settings.LLM_API_BASE = server.base_url
        settings.LLM_API_KEY = "good-key"
        settings.LLM_MODEL = "local-model"
        settings.LLM_MAX_RETRIES = 0
        yield server


async def streamed(provider, prompt=PROMPT) -> list:
    return [delta async for delta in provider.stream(prompt)]


def test_without_any_key_the_site_answers_with_extracts(settings):
    settings.LLM_PROVIDER = "extractive"
    assert isinstance(default_provider(), ExtractiveProvider)


def test_paradigm_uses_its_host_and_key(settings):
    settings.LLM_PROVIDER, settings.LLM_API_KEY, settings.LLM_API_BASE = "paradigm", "", ""
    settings.PARADIGM_HOST, settings.PARADIGM_API_KEY = "https://paradigm.example.org/", "pk"
    provider = default_provider()
    assert provider.base_url == "https://paradigm.example.org/api/v2"
    assert provider.api_key == "pk" and provider.model == "alfred-4.2"


def test_openai_uses_its_key_and_default_model(settings):
    settings.LLM_PROVIDER, settings.LLM_API_KEY, settings.LLM_MODEL = "openai", "", ""
    settings.OPENAI_API_KEY = "sk-test"
    provider = default_provider()
    assert provider.api_key == "sk-test" and provider.model == "gpt-4o-mini"
    assert provider.base_url is None


def test_a_category_language_model_overrides_the_site_default(settings):
    settings.LLM_PROVIDER = "extractive"
    model = LanguageModel(
        name="vLLM interne",
        kind="compatible",
        model="mistral-small",
        base_url="http://vllm:8000/v1",
        context_window=32000,
        max_answer_tokens=800,
    )
    provider = provider_for(model)
    assert provider.label == "vLLM interne (mistral-small)"
    assert provider.base_url == "http://vllm:8000/v1" and provider.context_window == 32000
    assert provider_for(None) == default_provider()


async def test_a_compatible_server_streams_the_answer_and_reports_usage(server):
    deltas = await streamed(default_provider())
    text = "".join(delta.text for delta in deltas)
    assert text == "D'après les documents, la réponse figure dans le premier extrait [1]."
    assert deltas[-1].usage.completion_tokens == len(text.split())
    request = server.requests_to("/v1/chat/completions")[0]
    assert request.body["model"] == "local-model" and request.body["stream"] is True


async def test_a_short_completion_is_returned_whole(server):
    server.chat_answer = lambda request: "  Question réécrite ?  "
    assert (
        await default_provider().complete(PROMPT.messages, max_tokens=50) == "Question réécrite ?"
    )


async def test_a_wrong_key_is_reported_without_quoting_it(server, settings):
    settings.LLM_API_KEY = "sk-secret-but-wrong"
    with pytest.raises(ProviderAuthenticationFailed) as failure:
        await streamed(default_provider())
    assert "sk-secret" not in failure.value.message
    assert "sk-secret" not in str(failure.value)


async def test_a_server_that_cannot_be_reached_is_unavailable(settings):
    settings.LLM_PROVIDER, settings.LLM_MODEL = "compatible", "m"
    settings.LLM_API_BASE = f"http://127.0.0.1:{free_port()}/v1"
    settings.LLM_MAX_RETRIES = 0
    with pytest.raises(ProviderUnavailable) as failure:
        await streamed(default_provider())
    assert "ne répond pas" in failure.value.message


async def test_connection_errors_and_server_errors_are_retried(server, settings):
    settings.LLM_MAX_RETRIES = 2
    server.failures.extend([error_reply(503, "busy"), error_reply(502, "bad gateway")])
    deltas = await streamed(default_provider())
    assert deltas and len(server.requests_to("/v1/chat/completions")) == 3


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (error_reply(429, "rate limited"), "trop de demandes"),
        (error_reply(404, "no such model"), "est inconnu"),
        (error_reply(400, "context too long"), "a refusé la demande"),
    ],
)
async def test_refusals_are_explained(server, reply, message):
    server.failures.append(reply)
    with pytest.raises(ProviderRejected) as failure:
        await streamed(default_provider())
    assert message in failure.value.message


async def test_a_stream_cut_midway_is_unavailable(server):
    cut = b'data: {"choices": [{"index": 0, "delta": {"content": "D'
    server.failures.append(Reply(stream=iter([cut]), content_type="text/event-stream"))
    with pytest.raises((ProviderUnavailable, ProviderRejected)):
        await streamed(default_provider())


PASSAGES = [
    NumberedPassage(
        1,
        "Guide",
        3,
        "Introduction générale. Le télétravail est autorisé deux jours par semaine. "
        "La cantine ouvre à midi.",
    ),
    NumberedPassage(2, "Note", None, "Les agents à temps partiel télétravaillent un jour."),
]


LEAVE = [
    NumberedPassage(
        1,
        "Guide des congés",
        2,
        "Les congés pour événements familiaux sont accordés sur justificatif. "
        "Le mariage ou le pacs de l'agent ouvre droit à cinq jours de congés.",
    ),
    NumberedPassage(
        2,
        "Guide des congés",
        3,
        "La naissance d'un enfant ouvre droit à trois jours de congés. "
        "Les jours sont pris dans les quinze jours qui suivent.",
    ),
    NumberedPassage(3, "Télétravail", 1, "Le télétravail est possible deux jours par semaine."),
]


def test_the_extractive_answer_is_labelled_and_quotes_the_sentence_that_answers():
    answer = extractive_answer("Combien de jours de congés pour un mariage ?", LEAVE)

    assert answer.startswith(EXTRACTIVE_NOTICE)
    assert answer.endswith(
        "\n\n> Le mariage ou le pacs de l'agent ouvre droit à cinq jours de congés. [1]"
    )
    assert "naissance" not in answer and "télétravail" not in answer


def test_the_extractive_answer_quotes_every_close_sentence_in_reading_order():
    answer = extractive_answer("Combien de jours de congés ?", LEAVE)

    assert answer.split("\n\n")[1:] == [
        "> Le mariage ou le pacs de l'agent ouvre droit à cinq jours de congés. [1]",
        "> La naissance d'un enfant ouvre droit à trois jours de congés. [2]",
    ]


def test_a_passage_sharing_only_a_common_word_gives_no_filler_quote():
    answer = extractive_answer("Combien de jours de télétravail ?", PASSAGES)

    assert answer.split("\n\n")[1:] == ["> Le télétravail est autorisé deux jours par semaine. [1]"]


def test_without_a_shared_word_the_best_passage_opens_the_answer():
    answer = extractive_answer("Horaires du restaurant ?", PASSAGES)

    assert answer.endswith("> Introduction générale. [1]")


async def test_the_extractive_provider_streams_word_by_word():
    prompt = Prompt(messages=[], question="télétravail", passages=PASSAGES)
    deltas = await streamed(ExtractiveProvider(), prompt)
    assert len(deltas) > 10
    assert "".join(delta.text for delta in deltas) == extractive_answer("télétravail", PASSAGES)


@pytest.mark.parametrize("url", ["http://vllm:8000/v1", "https://api.example.org/v1"])
def test_a_docker_service_name_is_a_valid_api_address(url):
    validate_api_url(url)


@pytest.mark.parametrize("url", ["vllm:8000", "ftp://vllm/v1", "http://:80/v1", "http://h:x/"])
def test_an_api_address_needs_http_and_a_host(url):
    with pytest.raises(ValidationError):
        validate_api_url(url)
