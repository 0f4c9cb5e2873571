from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Backoffice"

    def ready(self) -> None:
        from django.contrib import admin

        admin.site.site_header = "Cassandre — administration"
        admin.site.site_title = "Cassandre"
        admin.site.index_title = "Backoffice"
