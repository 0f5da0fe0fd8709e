from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The outbox of every SMS and email Relais sends, and their delivery."""

    name = "backend.notifications"
    label = "notifications"
    verbose_name = "Notifications"
