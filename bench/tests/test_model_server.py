import time

from ai.llm.base import Prompt
from ai.llm.openai_compatible import OpenAICompatibleProvider
from bench.model_server import ANSWER, API_KEY, answer_words, model_total_ms, serve


def test_the_answer_cites_a_source_as_a_grounded_model_would():
    assert "[1]" in ANSWER


def test_the_model_takes_its_first_token_delay_then_one_delay_per_further_word():
    words = len(answer_words())
    assert words > 40
    assert model_total_ms(first_token_ms=200, token_ms=10) == 200 + (words - 1) * 10


def provider(base_url: str, api_key: str = API_KEY) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(
        kind="compatible",
        name="bench",
        model="bench",
        base_url=base_url,
        api_key=api_key,
        context_window=8000,
        max_answer_tokens=500,
        temperature=0,
        timeout=10,
        connect_timeout=5,
        max_retries=0,
    )


async def test_cassandre_s_provider_streams_the_whole_answer_after_the_known_latency():
    server = await serve(first_token_ms=50, token_ms=1)
    port = server.sockets[0].getsockname()[1]
    prompt = Prompt(messages=[{"role": "user", "content": "?"}], question="?")
    started = time.perf_counter()
    first_token_at = None
    pieces, usage = [], None
    async for delta in provider(f"http://127.0.0.1:{port}/v1").stream(prompt):
        if delta.text and first_token_at is None:
            first_token_at = time.perf_counter() - started
        pieces.append(delta.text)
        usage = delta.usage or usage
    server.close()
    assert "".join(pieces) == ANSWER
    assert usage.completion_tokens == len(answer_words())
    assert first_token_at >= 0.05
