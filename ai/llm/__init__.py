"""Answer providers: the site default from settings, or a category's own language model."""

import logging
from pathlib import Path

from django.conf import settings

from ai.llm.base import (
    Delta,
    NumberedPassage,
    Prompt,
    Provider,
    ProviderAuthenticationFailed,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    Usage,
)
from ai.llm.extractive import ExtractiveProvider
from ai.llm.openai_compatible import OpenAICompatibleProvider
from ai.llm.textsynth import DEFAULT_BASE_URL as TEXTSYNTH_BASE_URL
from ai.llm.textsynth import TextSynthProvider
from ai.llm.vertex import VertexProvider
from ai.llm.vertex import default_base_url as vertex_base_url
from ai.models import LanguageModel

__all__ = [
    "Delta",
    "NumberedPassage",
    "Prompt",
    "Provider",
    "ProviderAuthenticationFailed",
    "ProviderError",
    "ProviderRejected",
    "ProviderUnavailable",
    "Usage",
    "default_provider",
    "provider_for",
]

logger = logging.getLogger(__name__)

DEFAULT_MODELS = {
    "openai": "gpt-4o-mini",
    "paradigm": "alfred-4.2",
    "textsynth": "mistral_7B_instruct",
    "vertex": "gemini-2.5-flash",
}
NAMES = {
    "openai": "OpenAI",
    "paradigm": "Paradigm",
    "compatible": "modèle local",
    "textsynth": "TextSynth",
    "vertex": "Vertex AI",
}


def default_provider() -> Provider:
    """The site's provider, from the LLM_* settings (see the README)."""
    return build_provider(
        settings.LLM_PROVIDER,
        model=settings.LLM_MODEL,
        base_url=settings.LLM_API_BASE,
        api_key=settings.LLM_API_KEY,
        project=settings.VERTEX_PROJECT,
        location=settings.VERTEX_LOCATION,
        context_window=settings.LLM_CONTEXT_WINDOW,
        max_answer_tokens=settings.LLM_MAX_ANSWER_TOKENS,
        temperature=settings.LLM_TEMPERATURE,
    )


def provider_for(language_model: LanguageModel | None) -> Provider:
    """The provider of a category's language model; the site's when it has none."""
    if language_model is None:
        return default_provider()
    return build_provider(
        language_model.kind,
        name=language_model.name,
        model=language_model.model,
        base_url=language_model.base_url,
        api_key=language_model.api_key,
        project=language_model.project,
        location=language_model.location,
        context_window=language_model.context_window,
        max_answer_tokens=language_model.max_answer_tokens,
        temperature=language_model.temperature,
    )


def build_provider(
    kind: str,
    *,
    name: str = "",
    model: str,
    base_url: str,
    api_key: str,
    project: str = "",
    location: str = "",
    context_window: int,
    max_answer_tokens: int,
    temperature: float,
) -> Provider:
    if kind == LanguageModel.Kind.EXTRACTIVE:
        return ExtractiveProvider()
    if kind not in NAMES:
        raise ValueError(f"Unknown language model provider {kind!r}.")
    common = {
        "kind": kind,
        "name": name or NAMES[kind],
        "model": model or DEFAULT_MODELS.get(kind, ""),
        "api_key": api_key or _provider_key(kind),
        "context_window": context_window,
        "max_answer_tokens": max_answer_tokens,
        "temperature": temperature,
        "timeout": settings.LLM_TIMEOUT,
        "connect_timeout": settings.LLM_CONNECT_TIMEOUT,
        "max_retries": settings.LLM_MAX_RETRIES,
    }
    if kind == LanguageModel.Kind.TEXTSYNTH:
        return TextSynthProvider(base_url=base_url or TEXTSYNTH_BASE_URL, **common)
    if kind == LanguageModel.Kind.VERTEX:
        location = location or settings.VERTEX_LOCATION
        return VertexProvider(
            base_url=base_url or vertex_base_url(location),
            project=project or settings.VERTEX_PROJECT,
            location=location,
            **common,
        )
    return OpenAICompatibleProvider(base_url=base_url or _provider_base_url(kind), **common)


def _provider_base_url(kind: str) -> str | None:
    if kind == LanguageModel.Kind.PARADIGM and settings.PARADIGM_HOST:
        host = settings.PARADIGM_HOST.rstrip("/")
        # PARADIGM_HOST names the server; its OpenAI-compatible API lives under /api/v2.
        return host if "/api/" in host else f"{host}/api/v2"
    return None


def _provider_key(kind: str) -> str:
    if kind == LanguageModel.Kind.OPENAI:
        return settings.OPENAI_API_KEY
    if kind == LanguageModel.Kind.PARADIGM:
        return settings.PARADIGM_API_KEY
    if kind == LanguageModel.Kind.TEXTSYNTH:
        return settings.TEXTSYNTH_API_KEY
    if kind == LanguageModel.Kind.VERTEX:
        return _service_account_file()
    return ""


def _service_account_file() -> str:
    """The key in VERTEX_SERVICE_ACCOUNT_FILE, read at each question (a replaced key counts
    at once); empty when it cannot be read, which the provider reports."""
    if not settings.VERTEX_SERVICE_ACCOUNT_FILE:
        return ""
    try:
        return Path(settings.VERTEX_SERVICE_ACCOUNT_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        logger.warning("VERTEX_SERVICE_ACCOUNT_FILE cannot be read.")
        return ""
