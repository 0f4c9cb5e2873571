"""Through the repository's nginx.conf, in front of daphne run as the image runs it: what a
client writes in its headers must not choose the address the rate limits count, nor let
another site's page open the websocket."""

import asyncio
import json
import os
import re

import httpx
import pytest
import websockets
from django.contrib.auth import get_user_model

from testing.nginx import nginx_binary, running_nginx
from testing.services import free_port, require, running_daphne

pytestmark = pytest.mark.services


@pytest.fixture
def site(transactional_db, redis_channel_layer, settings, tmp_path) -> str:
    """The site's address: nginx on 127.0.0.1, daphne behind it."""
    require(nginx_binary() is not None, "Debian's nginx (nginx-light)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cassandre.test_settings",
        "DB_NAME": settings.DATABASES["default"]["NAME"],
        "CASSANDRE_DATA_DIR": str(tmp_path / "data"),
        "RATE_LIMIT_LOGINS": "10/300",
    }
    with (
        running_daphne(env=env, log_path=tmp_path / "daphne.log", proxy_headers=True) as web,
        running_nginx(upstream_port=web, folder=tmp_path / "nginx") as port,
    ):
        yield f"127.0.0.1:{port}"


def sign_in(client: httpx.Client, *, forwarded_for: str) -> int:
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": "admin", "password": "wrong"},
        headers={"X-Forwarded-For": forwarded_for, "Referer": f"{client.base_url}/"},
    )
    return response.status_code


def test_a_forged_forwarded_address_does_not_escape_the_sign_in_limit(site):
    with httpx.Client(base_url=f"http://{site}") as client:
        statuses = [sign_in(client, forwarded_for=f"10.0.0.{n}") for n in range(12)]

    assert statuses[:10] == [200] * 10
    assert statuses[10:] == [429, 429]


def session_cookie(site: str) -> str:
    """A signed-in session through nginx, as the Cookie header a browser would send."""
    get_user_model().objects.create_user("agent", password="secret-agent-1")
    with httpx.Client(base_url=f"http://{site}") as client:
        page = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": "agent", "password": "secret-agent-1"},
            headers={"Referer": f"http://{site}/"},
        )
        return f"sessionid={client.cookies['sessionid']}"


def test_a_page_on_another_port_of_the_host_cannot_open_the_websocket(site):
    cookie = session_cookie(site)

    async def pong(origin: str) -> dict:
        async with websockets.connect(
            f"ws://{site}/ws/ping/", origin=origin, additional_headers={"Cookie": cookie}
        ) as socket:
            await socket.send(json.dumps({"type": "ping", "echo": 1}))
            return json.loads(await asyncio.wait_for(socket.recv(), 5))

    assert asyncio.run(pong(f"http://{site}")) == {"type": "pong", "echo": 1}
    with pytest.raises(websockets.InvalidStatus) as refused:
        asyncio.run(pong("http://127.0.0.1:8394"))
    assert refused.value.response.status_code == 403


def test_with_the_application_down_nginx_logs_no_question_anywhere(tmp_path):
    """An upstream error is logged with its request line, query string included, at the
    `error` level: the configuration keeps that level out, the access log says 502."""
    require(nginx_binary() is not None, "Debian's nginx (nginx-light)")
    folder = tmp_path / "nginx"
    with running_nginx(upstream_port=free_port(), folder=folder) as port:
        response = httpx.get(f"http://127.0.0.1:{port}/chat/search/?q=conge+maternite+Dupont")

    assert response.status_code == 502
    logs = {name: (folder / name).read_text() for name in ("error.log", "access.log")}
    assert '"GET /chat/search/ HTTP/1.1" 502' in logs["access.log"]
    assert not [name for name, text in logs.items() if "Dupont" in text]
