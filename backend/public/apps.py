from django.apps import AppConfig


class PublicConfig(AppConfig):
    """Server-rendered pages for people without an account: the code landing page."""

    name = "backend.public"
    label = "public"
