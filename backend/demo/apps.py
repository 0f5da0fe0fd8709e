from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo territory seeded by `make run` (fake people only)."""

    name = "backend.demo"
    label = "demo"
