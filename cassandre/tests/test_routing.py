"""The websocket ping, through the Redis channel layer: in process and through daphne."""

import asyncio
import json
import os

import pytest
import websockets
from channels.testing import WebsocketCommunicator

from cassandre.asgi import application
from testing.services import running_daphne

ORIGIN = "http://127.0.0.1"


async def ask(communicator: WebsocketCommunicator, message: dict) -> dict:
    await communicator.send_json_to(message)
    return await communicator.receive_json_from(timeout=5)


@pytest.mark.services
async def test_ping_is_answered_through_the_redis_channel_layer(redis_channel_layer):
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", ORIGIN.encode())]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await ask(communicator, {"type": "ping", "echo": "bonjour"}) == {
        "type": "pong",
        "echo": "bonjour",
    }
    await communicator.disconnect()


async def test_an_unknown_message_gets_an_error_not_a_disconnect():
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", ORIGIN.encode())]
    )
    await communicator.connect()
    reply = await ask(communicator, {"type": "dance"})
    assert reply["type"] == "error"
    assert (await ask(communicator, {"type": "ping"}))["type"] == "pong"
    await communicator.disconnect()


async def test_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://evil.example.com")]
    )
    connected, _ = await communicator.connect()
    assert not connected


@pytest.fixture
def daphne_server(redis_channel_layer, tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cassandre.test_settings"}
    with running_daphne(env=env, log_path=tmp_path / "daphne.log") as port:
        yield port


@pytest.mark.services
def test_ping_through_a_real_daphne_server(daphne_server):
    async def exchange() -> dict:
        url = f"ws://127.0.0.1:{daphne_server}/ws/ping/"
        async with websockets.connect(url, origin=f"http://127.0.0.1:{daphne_server}") as socket:
            await socket.send(json.dumps({"type": "ping", "echo": 42}))
            return json.loads(await asyncio.wait_for(socket.recv(), 5))

    assert asyncio.run(exchange()) == {"type": "pong", "echo": 42}
