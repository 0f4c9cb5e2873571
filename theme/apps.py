from django.apps import AppConfig


class ThemeConfig(AppConfig):
    """The Tailwind theme (django-tailwind): sources in static_src/, built CSS in static/."""

    name = "theme"
