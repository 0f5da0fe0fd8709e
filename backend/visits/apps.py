from django.apps import AppConfig


class VisitsConfig(AppConfig):
    """Visits ("passages") of facilitators to capteurs, and the day's round ("tournée")."""

    name = "backend.visits"
    label = "visits"
    verbose_name = "Visites"
