"""Settings read from the environment: how a written value becomes a setting."""

import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from cassandre import base_settings
from cassandre.env import env_decimal, env_rate


def test_a_rate_is_read_as_count_per_seconds(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_TEST", "10/3600")
    assert env_rate("RATE_LIMIT_TEST", "30/60") == (10, 3600)
    monkeypatch.delenv("RATE_LIMIT_TEST")
    assert env_rate("RATE_LIMIT_TEST", "30/60") == (30, 60)


@pytest.mark.parametrize("written", ["30", "30/0", "-1/60", "trente/60", "30/60/2"])
def test_a_malformed_rate_stops_the_start(monkeypatch, written):
    monkeypatch.setenv("RATE_LIMIT_TEST", written)
    with pytest.raises(ImproperlyConfigured, match="RATE_LIMIT_TEST must be COUNT/SECONDS"):
        env_rate("RATE_LIMIT_TEST", "30/60")


def test_a_price_is_read_as_a_decimal_with_a_point_or_a_comma(monkeypatch):
    monkeypatch.setenv("LLM_PRICE_TEST", "0,15")
    assert env_decimal("LLM_PRICE_TEST") == Decimal("0.15")
    monkeypatch.setenv("LLM_PRICE_TEST", "")
    assert env_decimal("LLM_PRICE_TEST") is None


@pytest.mark.parametrize("written", ["-1", "gratuit", "NaN", "inf"])
def test_a_malformed_price_stops_the_start(monkeypatch, written):
    monkeypatch.setenv("LLM_PRICE_TEST", written)
    with pytest.raises(ImproperlyConfigured, match="LLM_PRICE_TEST must be a number"):
        env_decimal("LLM_PRICE_TEST")


def test_anonymising_is_on_by_default():
    assert base_settings.ANONYMIZE_QUESTIONS is True


def test_the_embedded_default_is_extractive_and_a_key_selects_its_provider(monkeypatch):
    for variable in ("LLM_PROVIDER", "OPENAI_API_KEY", "PARADIGM_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    assert importlib.reload(base_settings).LLM_PROVIDER == "extractive"
    monkeypatch.setenv("PARADIGM_API_KEY", "p")
    assert importlib.reload(base_settings).LLM_PROVIDER == "paradigm"
    monkeypatch.setenv("OPENAI_API_KEY", "o")
    assert importlib.reload(base_settings).LLM_PROVIDER == "openai"
    monkeypatch.delenv("OPENAI_API_KEY")
    monkeypatch.delenv("PARADIGM_API_KEY")
    importlib.reload(base_settings)


def test_a_textsynth_key_or_a_vertex_key_file_selects_its_provider(monkeypatch):
    for variable in ("LLM_PROVIDER", "OPENAI_API_KEY", "PARADIGM_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("VERTEX_SERVICE_ACCOUNT_FILE", "/run/secrets/vertex.json")
    assert importlib.reload(base_settings).LLM_PROVIDER == "vertex"
    monkeypatch.setenv("TEXTSYNTH_API_KEY", "t")
    assert importlib.reload(base_settings).LLM_PROVIDER == "textsynth"
    monkeypatch.delenv("TEXTSYNTH_API_KEY")
    monkeypatch.delenv("VERTEX_SERVICE_ACCOUNT_FILE")
    importlib.reload(base_settings)
