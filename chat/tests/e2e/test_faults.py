"""The chat when a part breaks: the Redis of the channel layer stops, the vector store is
unreachable, the language model is too slow. Each time the user gets an answer or a message
saying what is wrong, and the exchange is recorded as it ended."""

import pytest
from channels.testing import WebsocketCommunicator

from chat.answering import in_thread
from chat.consumers import ChatConsumer
from chat.models import Exchange
from chat.search import SearchUnavailable
from testing.redis import RedisServer, redis_binary
from testing.services import free_port, require

QUESTION = "Combien de jours de télétravail par semaine ?"


async def ask(user, **fields) -> list[dict]:
    """Every message answering one question, up to `done` or `error`."""
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ask", "id": "q1", "question": QUESTION, **fields})
    messages = []
    while not messages or messages[-1]["type"] not in {"done", "error"}:
        messages.append(await communicator.receive_json_from(timeout=15))
    await communicator.disconnect()
    return messages


@pytest.fixture
def stopped_redis(settings, tmp_path):
    """The channel layer and the cache on our own Redis, which is then stopped."""
    require(redis_binary() is not None, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [server.url(1)]},
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url(2),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    server.stop()
    return server


@pytest.mark.services
async def test_the_chat_answers_while_the_redis_of_the_channel_layer_is_down(
    stopped_redis, category, user, llm_server, settings
):
    settings.RATE_LIMIT_QUESTIONS = (30, 60)  # counted in the (stopped) cache
    *_, done = await ask(user, category=category.slug)
    assert done["type"] == "done" and done["answer"]
    exchange = await in_thread(Exchange.objects.get)
    assert exchange.status == Exchange.Status.DONE


async def test_an_unreachable_vector_store_is_a_search_error_on_the_websocket(
    category, user, llm_server, settings
):
    settings.QDRANT_URL = f"http://127.0.0.1:{free_port()}"
    settings.QDRANT_TIMEOUT = 1
    [error] = await ask(user, category=category.slug)
    assert error["type"] == "error" and error["code"] == "search"
    assert error["message"] == SearchUnavailable().message
    assert not llm_server.requests_to("/v1/chat/completions")


async def test_a_model_too_slow_to_answer_fails_the_exchange_with_a_message(
    category, user, llm_server, settings
):
    settings.LLM_TIMEOUT = 1
    llm_server.first_token_delay = 3
    sources, error = await ask(user, category=category.slug)
    assert sources["type"] == "sources" and sources["sources"]
    assert error["type"] == "error" and error["code"] == "provider"
    assert "ne répond pas" in error["message"]
    exchange = await in_thread(Exchange.objects.get)
    assert exchange.status == Exchange.Status.FAILED
    assert "ne répond pas" in exchange.error_message
