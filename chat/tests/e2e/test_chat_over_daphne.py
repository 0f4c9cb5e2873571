"""The whole path, as a browser takes it: a real websocket client, daphne serving the ASGI
app in its own process, PostgreSQL, the Redis channel layer, and a local OpenAI-compatible
server streaming server-sent events over real HTTP."""

import asyncio
import json
import os

import pytest
import websockets
from django.test import Client

from ai.vectorstore.edge import close_all
from testing.services import running_daphne

pytestmark = pytest.mark.services


@pytest.fixture
def shared_vector_store(settings, tmp_path):
    """The passages live where the daphne process (CASSANDRE_DATA_DIR) will look for them."""
    settings.VECTOR_STORE_PATH = tmp_path / "data" / "test-qdrant"


@pytest.fixture
def daphne_chat(redis_channel_layer, shared_vector_store, category, llm_server, settings, tmp_path):
    # Qdrant Edge lets one process open a shard: this one lets go before daphne takes it.
    close_all()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cassandre.test_settings",
        "DB_NAME": settings.DATABASES["default"]["NAME"],
        "CASSANDRE_DATA_DIR": str(tmp_path / "data"),
        "LLM_PROVIDER": "compatible",
        "LLM_API_BASE": llm_server.base_url,
        "LLM_API_KEY": llm_server.api_key,
        "LLM_MODEL": "test-model",
    }
    with running_daphne(env=env, log_path=tmp_path / "daphne.log") as port:
        yield port


def test_a_question_streams_sources_tokens_and_done_with_matching_citations(
    daphne_chat, category, user, llm_server
):
    llm_server.chat_answer = lambda request: (
        "Deux jours par semaine pour les agents à temps plein [1] ; la cantine n'a rien à voir [2]."
    )
    llm_server.token_delay = 0.01
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    origin = f"http://127.0.0.1:{daphne_chat}"

    async def converse() -> list[dict]:
        async with websockets.connect(
            f"ws://127.0.0.1:{daphne_chat}/ws/chat/",
            origin=origin,
            additional_headers={"Cookie": f"sessionid={session}"},
        ) as socket:
            question = {"type": "ask", "id": 1, "question": "Combien de jours de télétravail ?"}
            await socket.send(json.dumps({**question, "category": category.slug}))
            messages = []
            while not messages or messages[-1]["type"] not in ("done", "error"):
                messages.append(json.loads(await asyncio.wait_for(socket.recv(), 30)))
            return messages

    sources, *tokens, done = asyncio.run(converse())
    assert sources["type"] == "sources", sources
    # The canteen's passage is under the relevance threshold: it is not a source.
    assert [source["title"] for source in sources["sources"]] == ["teletravail"]
    # Streamed: several frames, each possibly holding several tokens (CHAT_TOKEN_FLUSH_MS).
    assert len(tokens) >= 2 and {token["type"] for token in tokens} == {"token"}
    assert done["type"] == "done", done
    assert done["citations"] == [1]
    cited = {source["number"] for source in sources["sources"]}
    assert set(done["citations"]) <= cited
    assert done["answer"] == "".join(token["text"] for token in tokens)
    assert sources["sources"][0]["url"].startswith("/documents/")
