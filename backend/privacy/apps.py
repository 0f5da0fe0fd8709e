from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """A person's rights over what Relais holds on them: find it, export it, erase it."""

    name = "backend.privacy"
    label = "privacy"
    verbose_name = "Droits des personnes"
