from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "backend.core"
    label = "core"

    def ready(self):
        from backend.core import schema  # noqa: F401  (registers the OpenAPI extensions)
