#!/usr/bin/env python
"""Chat latency on embedded defaults: what Cassandre adds before an answer's first token.

Builds a scratch deployment (SQLite, Qdrant Edge) in a temporary folder with N synthetic
passages, starts a fake OpenAI-compatible model in this process whose first token always
comes `--model-latency` ms after the request, points the deployment's LLM_* variables at
it, starts `manage.py serve`, logs in through the admin's form and asks questions over the
/ws/chat/ websocket. Cassandre's overhead is the time to the first token seen by the client
minus the model's known latency; the server's own `timings.overhead_ms` is shown beside it.

    .venv/bin/python scripts/measure_chat_latency.py [--chunks 20000] [--questions 100]
        [--concurrency 1] [--model-latency 200]
"""

import argparse
import asyncio
import re
import statistics
import sys
import tempfile

import httpx
from measure_search_latency import (
    percentile,
    sample_questions,
    scratch_env,
    serving_seeded_deployment,
)

from bench.chat import chat_answers, converse
from bench.soak.load import Target
from testing.openai_server import FakeOpenAIServer

USERNAME = "latency-admin"
PASSWORD = "latency-password-not-secret"  # a throwaway deployment, deleted at the end
API_KEY = "latency-key"
WARM_UP = 5  # questions asked first and left out: models load, connections open


def login(base_url: str) -> str:
    """The session cookie of the administrator, through the admin's login form."""
    with httpx.Client(base_url=base_url) as client:
        form = client.get("/admin/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if csrf is None:
            sys.exit("No CSRF token in the admin login form.")
        response = client.post(
            "/admin/login/",
            data={
                "csrfmiddlewaretoken": csrf.group(1),
                "username": USERNAME,
                "password": PASSWORD,
                "next": "/admin/",
            },
        )
        session = client.cookies.get("sessionid")
        if response.status_code != 302 or not session:
            sys.exit(f"Login failed (HTTP {response.status_code}).")
        return session


def summary(label: str, values: list[float]) -> str:
    return (
        f"  {label:<34} p50 {statistics.median(values):7.1f} ms   "
        f"p95 {percentile(values, 0.95):7.1f} ms   max {max(values):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=1, help="Websockets asking at once.")
    parser.add_argument(
        "--model-latency", type=int, default=200, help="The fake model's first token, in ms."
    )
    arguments = parser.parse_args()
    model_latency = arguments.model_latency

    with (
        tempfile.TemporaryDirectory() as data_dir,
        FakeOpenAIServer(api_key=API_KEY) as model,
    ):
        model.first_token_delay = model_latency / 1000
        model.token_delay = 0.005
        env = scratch_env(
            data_dir,
            LLM_PROVIDER="compatible",
            LLM_API_BASE=model.base_url,
            LLM_API_KEY=API_KEY,
            LLM_MODEL="latency-model",
            RATE_LIMIT_QUESTIONS="0/60",  # no limit: the script asks faster than people
            DJANGO_SUPERUSER_USERNAME=USERNAME,
            DJANGO_SUPERUSER_PASSWORD=PASSWORD,
        )
        deployment = serving_seeded_deployment(
            chunks=arguments.chunks, env=env, setup=[("create_superuser",)]
        )
        with deployment as (port, (category, _), server_log):
            try:
                base_url = f"http://127.0.0.1:{port}"
                target = Target(
                    base_url,
                    token="",
                    session=login(base_url),
                    category=category,
                    upload_category="",
                )
                questions = sample_questions(WARM_UP + arguments.questions)
                asyncio.run(converse(target, questions[:WARM_UP], category=category))
                measures, _ = chat_answers(
                    target,
                    questions[WARM_UP:],
                    conversations=arguments.concurrency,
                    category=category,
                )
            except (RuntimeError, OSError) as error:
                sys.exit(f"{error}\n{server_log.read_text()[-3000:]}")

    first_tokens = [measure.first_token_ms for measure in measures]
    print(
        f"chat over /ws/chat/, {arguments.chunks} passages, {len(measures)} questions, "
        f"{arguments.concurrency} at a time, model's first token after {model_latency} ms:"
    )
    print(summary("first token (client)", first_tokens))
    overheads = [first_token - model_latency for first_token in first_tokens]
    print(summary("overhead (client, minus the model)", overheads))
    for timing in ("overhead_ms", "first_token_ms", "model_wait_ms", "total_ms"):
        values = [float(measure.server_timings[timing]) for measure in measures]
        print(summary(f"server {timing}", values))


if __name__ == "__main__":
    main()
