"""The /healthz checks of the parts the ai app owns: the vector store, the language model."""

from django.core.exceptions import ImproperlyConfigured

from ai.llm import default_provider
from ai.service_account import InvalidServiceAccountKey, parse_service_account
from ai.vectorstore import get_vector_store
from common.health import Details

KEYED_PROVIDERS = frozenset({"openai", "paradigm", "textsynth", "vertex"})


def check_vector_store() -> None:
    get_vector_store().ping()


def check_language_model() -> Details:
    """The site's answer provider as configured; never called, since a call may be billed.

    Only a configuration that cannot work is an error: no API address for a server that
    has no default one, no key for a provider that always wants one.
    """
    provider = default_provider()
    if provider.generative:
        if provider.base_url is None and provider.kind != "openai":
            raise ImproperlyConfigured("no API address")
        if not provider.api_key and provider.kind in KEYED_PROVIDERS:
            raise ImproperlyConfigured("no API key")
        if provider.kind == "vertex":
            try:
                parse_service_account(provider.api_key)
            except InvalidServiceAccountKey as error:
                raise ImproperlyConfigured("unreadable service account key") from error
    return {"provider": provider.kind}
