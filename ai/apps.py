from django.apps import AppConfig
from django.core.signals import setting_changed


def _forget_vector_store(setting: str, **kwargs) -> None:
    if setting.startswith("QDRANT_") or setting == "VECTOR_STORE_PATH":
        from ai.vectorstore import get_vector_store

        get_vector_store.cache_clear()


def _forget_embedder(setting: str, **kwargs) -> None:
    if setting.startswith("EMBEDDING_"):
        from ai.embeddings import get_embedder

        get_embedder.cache_clear()


class AiConfig(AppConfig):
    name = "ai"
    verbose_name = "Intelligence artificielle"

    def ready(self) -> None:
        setting_changed.connect(_forget_vector_store, dispatch_uid="ai.forget_vector_store")
        setting_changed.connect(_forget_embedder, dispatch_uid="ai.forget_embedder")

        from ai.health import check_language_model, check_vector_store
        from common.health import register_check

        register_check("vector_store", check_vector_store)
        register_check("language_model", check_language_model)
