from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_staff_roles(sender: AppConfig, **kwargs) -> None:
    from backoffice.roles import ensure_editor_group

    ensure_editor_group()


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Backoffice"

    def ready(self) -> None:
        from django.contrib import admin

        admin.site.site_header = "Cassandre — administration"
        admin.site.site_title = "Cassandre"
        admin.site.index_title = "Backoffice"
        # Once the permissions of the chat app (the last app with models) exist.
        post_migrate.connect(
            _ensure_staff_roles,
            sender=self.apps.get_app_config("chat"),
            dispatch_uid="backoffice.roles",
        )
