from django.apps import AppConfig


class CapteursConfig(AppConfig):
    name = "backend.capteurs"
    label = "capteurs"
    verbose_name = "Capteurs"
