from django.apps import AppConfig


class PwaConfig(AppConfig):
    name = "backend.pwa"
    label = "pwa"
    verbose_name = "PWA"
