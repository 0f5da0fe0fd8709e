from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "backend.core"
    label = "core"

    def ready(self):
        from backend.core import after_response, schema  # noqa: F401  (signals, extensions)
