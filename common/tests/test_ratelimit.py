"""Rate limits: counters in the cache, per key, in fixed windows."""

import json
import uuid

import pytest

from common import ratelimit
from common.errors import RateLimited
from common.ratelimit import check_question_rate, hit
from testing.services import free_port, require, run_python


@pytest.fixture
def key() -> str:
    """A key no other test, nor another run sharing the cache, counts under."""
    return f"test:{uuid.uuid4()}"


def test_hit_allows_up_to_the_limit_then_refuses(key):
    assert [hit(key, limit=3, window_seconds=60) for _ in range(5)] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_each_key_has_its_own_count(key):
    assert hit(f"{key}:a", limit=1, window_seconds=60)
    assert hit(f"{key}:b", limit=1, window_seconds=60)
    assert not hit(f"{key}:a", limit=1, window_seconds=60)


def test_the_next_window_starts_a_new_count(key, monkeypatch):
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_000.0)
    assert hit(key, limit=1, window_seconds=60)
    assert not hit(key, limit=1, window_seconds=60)
    monkeypatch.setattr(ratelimit.time, "time", lambda: 1_000_000.0 + 60)
    assert hit(key, limit=1, window_seconds=60)


def test_a_limit_of_zero_means_no_limit(key):
    assert all(hit(key, limit=0, window_seconds=60) for _ in range(100))


def test_questions_are_counted_per_user_and_refused_over_the_rate(settings):
    settings.RATE_LIMIT_QUESTIONS = (2, 60)
    user_id = uuid.uuid4().int
    check_question_rate(user_id)
    check_question_rate(user_id)
    with pytest.raises(RateLimited) as refused:
        check_question_rate(user_id)
    assert refused.value.status == 429 and 0 < refused.value.wait <= 60
    check_question_rate(user_id + 1)


def test_an_unreachable_cache_lets_the_action_through(settings, key, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }
    assert hit(key, limit=1, window_seconds=60)
    assert "cache is unreachable" in caplog.text


@pytest.mark.services
def test_the_counters_are_shared_through_redis(settings, key):
    backend = settings.CACHES["default"]["BACKEND"]
    require(backend == "django.core.cache.backends.redis.RedisCache", "Redis (cache)")
    from django.core.cache import cache

    assert hit(key, limit=1, window_seconds=60)
    assert not hit(key, limit=1, window_seconds=60)
    (stored,) = [k for k in cache._cache.get_client().keys("*") if key.encode() in k]
    assert stored.startswith(settings.CACHES["default"]["KEY_PREFIX"].encode())


PRINT_CACHE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps(settings.CACHES["default"]))
"""


def cache_chosen(env: dict[str, str], tmp_path) -> dict:
    result = run_python(
        PRINT_CACHE, settings_module="cassandre.dev_settings", env=env, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_cache_is_in_memory_when_no_redis_is_set(tmp_path):
    cache = cache_chosen({}, tmp_path)
    assert cache["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_the_cache_shares_the_channel_layer_redis_unless_cache_redis_is_set(tmp_path):
    channels = {"CHANNEL_REDIS": "redis://redis.example.internal:6379/1"}
    cache = cache_chosen(channels, tmp_path)
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == channels["CHANNEL_REDIS"]
    own = {**channels, "CACHE_REDIS": "redis://cache.example.internal:6379/2"}
    assert cache_chosen(own, tmp_path)["LOCATION"] == own["CACHE_REDIS"]
