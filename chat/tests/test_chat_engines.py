"""The original Cassandre's engines answer through the chat websocket like any other:
TextSynth and Vertex AI, each against a fake server that speaks its protocol."""

import pytest

from ai.llm import google_auth
from ai.models import LanguageModel
from chat.answering import in_thread
from chat.models import Exchange
from chat.tests.test_chat_consumer import QUESTION, connect, receive_until
from testing.services import free_port
from testing.textsynth_server import FakeTextSynthServer
from testing.vertex_server import FakeVertexServer, new_private_key

ANSWER = (
    "Le télétravail est autorisé deux jours par semaine [1], sur demande au chef de service [1]."
)


async def ask(communicator, **fields) -> list[dict]:
    """The messages answering one question; the first question of a process loads the
    embedding and anonymising models, which a loaded machine takes its time over."""
    await communicator.send_json_to({"type": "ask", "id": "q1", "question": QUESTION, **fields})
    return await receive_until(communicator, "done", "error", "cancelled", timeout=60)


def answer_from_the_passages(request) -> str:
    return ANSWER


@pytest.fixture
def textsynth(settings):
    with FakeTextSynthServer(api_key="ts-key") as server:
        server.chat_answer = answer_from_the_passages
        settings.LLM_MAX_RETRIES = 0
        settings.CHAT_TOKEN_FLUSH_MS = 0  # one message per token: the tests count them
        yield server


@pytest.fixture
def vertex(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(google_auth, "tokens", google_auth.AccessTokens())
    with FakeVertexServer() as server:
        server.chat_answer = answer_from_the_passages
        settings.CHAT_TOKEN_FLUSH_MS = 0  # one message per token: the tests count them
        key_file = tmp_path / "cle-vertex.json"
        key_file.write_text(server.service_account_key())
        settings.LLM_PROVIDER = "vertex"
        settings.LLM_API_BASE = server.base_url
        settings.LLM_API_KEY = settings.LLM_MODEL = settings.VERTEX_PROJECT = ""
        settings.VERTEX_SERVICE_ACCOUNT_FILE = str(key_file)
        settings.VERTEX_LOCATION = "europe-west9"
        settings.LLM_MAX_RETRIES = 0
        yield server


async def use_textsynth(category, server, api_key: str = "ts-key") -> None:
    model = await in_thread(
        LanguageModel.objects.create,
        name="TextSynth",
        kind=LanguageModel.Kind.TEXTSYNTH,
        base_url=server.base_url,
        api_key=api_key,
    )
    await in_thread(type(category).objects.filter(pk=category.pk).update, language_model=model)


async def test_a_category_on_textsynth_streams_its_answer_and_cites_the_passages(
    category, user, textsynth, extractive
):
    await use_textsynth(category, textsynth)
    communicator = await connect(user)
    sources, *tokens, done = await ask(communicator, category=category.slug)
    assert sources["sources"][0]["title"] == "teletravail"
    assert len(tokens) > 5 and {token["type"] for token in tokens} == {"token"}
    assert done["type"] == "done" and done["answer"] == ANSWER and done["citations"] == [1]
    assert done["usage"]["completion_tokens"] == len(ANSWER.split())
    [request] = textsynth.requests_to("/v1/engines/mistral_7B_instruct/chat")
    assert "[1] teletravail" in request.body["messages"][-1]
    exchange = await in_thread(Exchange.objects.get)
    assert exchange.status == Exchange.Status.DONE and exchange.answer == ANSWER
    await communicator.disconnect()


async def test_a_wrong_textsynth_key_tells_the_user_to_warn_the_administrator(
    category, user, textsynth, extractive
):
    await use_textsynth(category, textsynth, api_key="ts-wrong-secret")
    communicator = await connect(user)
    sources, error = await ask(communicator, category=category.slug)
    assert sources["sources"] and error["code"] == "provider"
    assert error["message"] == (
        "Le modèle de langage (TextSynth) refuse la clé d'API configurée. "
        "Prévenez l'administrateur de Cassandre."
    )
    await communicator.disconnect()


async def test_the_site_on_vertex_streams_its_answer_with_a_service_account_token(
    category, user, vertex
):
    communicator = await connect(user)
    sources, *tokens, done = await ask(communicator, category=category.slug)
    assert sources["sources"][0]["title"] == "teletravail"
    assert len(tokens) > 5 and done["answer"] == ANSWER and done["citations"] == [1]
    assert done["usage"]["completion_tokens"] == len(ANSWER.split())
    [request] = vertex.requests_to(
        "/v1/projects/projet-test/locations/europe-west9/publishers/google/models/"
        "gemini-2.5-flash:streamGenerateContent"
    )
    assert "[1] teletravail" in request.body["contents"][-1]["parts"][0]["text"]
    assert vertex.token_exchanges == 1
    await communicator.disconnect()


async def test_a_vertex_key_google_refuses_is_reported_and_the_sources_kept(
    category, user, vertex, settings, tmp_path
):
    wrong = tmp_path / "ancienne-cle.json"
    wrong.write_text(vertex.service_account_key(new_private_key()))
    settings.VERTEX_SERVICE_ACCOUNT_FILE = str(wrong)
    communicator = await connect(user)
    sources, error = await ask(communicator, category=category.slug)
    assert sources["sources"] and error["code"] == "provider"
    assert "refuse la clé d'API" in error["message"] and "PRIVATE" not in error["message"]
    await communicator.disconnect()


async def test_vertex_down_gives_a_message_and_keeps_the_sources(category, user, vertex, settings):
    settings.LLM_API_BASE = f"http://127.0.0.1:{free_port()}/v1"
    communicator = await connect(user)
    sources, error = await ask(communicator, category=category.slug)
    assert sources["sources"] and error["code"] == "provider"
    assert error["message"] == (
        "Le modèle de langage (Vertex AI) ne répond pas pour le moment. "
        "Les passages trouvés restent affichés ; réessayez dans un instant."
    )
    exchange = await in_thread(Exchange.objects.get)
    assert exchange.status == Exchange.Status.FAILED
    await communicator.disconnect()
