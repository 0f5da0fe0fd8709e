from django.apps import AppConfig


class PublicConfig(AppConfig):
    """Server-rendered pages for people without an account: the code landing page with its
    referral form, the capteur space, the privacy notice and the error pages."""

    name = "backend.public"
    label = "public"
