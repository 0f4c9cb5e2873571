from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from common.health import register_check
        from documents import signals  # noqa: F401  (connects the receivers)
        from documents.health import check_passages

        register_check("passages", check_passages)
