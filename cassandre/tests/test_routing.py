"""The websocket ping, through the Redis channel layer: in process and through daphne; and
who may open a socket at all (the site's own pages, signed in)."""

import asyncio
import json
import os
import re

import httpx
import pytest
import websockets
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model

from cassandre.asgi import application
from testing.services import running_daphne

ORIGIN = "http://127.0.0.1"
# A browser's handshake from a page of the site: its origin is the address it was served from.
SAME_SITE = [(b"origin", ORIGIN.encode()), (b"host", b"127.0.0.1")]


def signed_in() -> dict:
    """The scope of a signed-in user's handshake (what the session would give)."""
    return {"user": get_user_model()(username="agent")}


def ping_socket() -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=SAME_SITE)
    communicator.scope.update(signed_in())
    return communicator


async def ask(communicator: WebsocketCommunicator, message: dict) -> dict:
    await communicator.send_json_to(message)
    return await communicator.receive_json_from(timeout=5)


@pytest.mark.services
async def test_ping_is_answered_through_the_redis_channel_layer(redis_channel_layer):
    communicator = ping_socket()
    connected, _ = await communicator.connect()
    assert connected
    assert await ask(communicator, {"type": "ping", "echo": "bonjour"}) == {
        "type": "pong",
        "echo": "bonjour",
    }
    await communicator.disconnect()


async def test_an_unknown_message_gets_an_error_not_a_disconnect():
    communicator = ping_socket()
    await communicator.connect()
    reply = await ask(communicator, {"type": "dance"})
    assert reply["type"] == "error"
    assert (await ask(communicator, {"type": "ping"}))["type"] == "pong"
    await communicator.disconnect()


async def test_a_visitor_without_a_session_cannot_open_the_ping_socket():
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=SAME_SITE)
    assert await communicator.connect() == (False, 4401)


async def connects(origin: str, host: str, **scope) -> bool:
    """Whether a signed-in user's handshake from `origin` to `host` is let in."""
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", origin.encode()), (b"host", host.encode())]
    )
    communicator.scope.update({**signed_in(), **scope})
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


async def test_a_foreign_origin_is_refused():
    assert not await connects("https://evil.example.com", "127.0.0.1")


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("http://127.0.0.1:8394", "127.0.0.1:8302"),  # another port of the same host
        ("http://127.0.0.1", "127.0.0.1:8302"),
        ("http://[::1]:1234", "[::1]:8302"),
        ("http://localhost:8302", "127.0.0.1:8302"),  # another name of the same machine
    ],
)
async def test_a_page_on_another_port_or_name_of_the_same_host_is_refused(origin, host):
    assert not await connects(origin, host)


async def test_an_http_page_cannot_open_the_socket_of_an_https_site():
    assert not await connects("http://127.0.0.1", "127.0.0.1", scheme="https")
    assert await connects("https://127.0.0.1", "127.0.0.1", scheme="https")


async def test_the_sites_own_address_and_its_trusted_origins_are_let_in(settings):
    settings.ALLOWED_HOSTS = [".example.org"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://intranet.example.org"]
    assert await connects("http://cassandre.example.org:8080", "cassandre.example.org:8080")
    assert await connects("https://intranet.example.org", "cassandre.example.org")
    assert not await connects("http://evil.example.org", "cassandre.example.org")


async def test_a_handshake_without_origin_or_with_an_unknown_host_is_refused():
    assert not await connects("", "127.0.0.1")
    assert not await connects("http://evil.example.com", "evil.example.com")


@pytest.fixture
def daphne_server(redis_channel_layer, transactional_db, settings, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cassandre.test_settings",
        "DB_NAME": settings.DATABASES["default"]["NAME"],
    }
    with running_daphne(env=env, log_path=tmp_path / "daphne.log") as port:
        yield port


def session_cookie(port: int) -> str:
    """A signed-in session on the server, as the Cookie header a browser would send."""
    get_user_model().objects.create_user("agent", password="secret-agent-1")
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        page = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": "agent", "password": "secret-agent-1"},
            headers={"Referer": f"http://127.0.0.1:{port}/"},
        )
        return f"sessionid={client.cookies['sessionid']}"


@pytest.mark.services
def test_ping_through_a_real_daphne_server(daphne_server):
    cookie = session_cookie(daphne_server)

    async def exchange() -> dict:
        url = f"ws://127.0.0.1:{daphne_server}/ws/ping/"
        async with websockets.connect(
            url, origin=f"http://127.0.0.1:{daphne_server}", additional_headers={"Cookie": cookie}
        ) as socket:
            await socket.send(json.dumps({"type": "ping", "echo": 42}))
            return json.loads(await asyncio.wait_for(socket.recv(), 5))

    assert asyncio.run(exchange()) == {"type": "pong", "echo": 42}
