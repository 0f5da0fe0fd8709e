"""Reads of the outbox for operations (health checks, admin)."""

from django.db.models import Count

from backend.notifications.enums import NotificationStatus
from backend.notifications.models import Notification

HEALTH_STATUSES = (NotificationStatus.PENDING, NotificationStatus.SENT, NotificationStatus.FAILED)


def outbox_status_counts() -> dict[str, int]:
    """How many rows are pending, sent and failed (one GROUP BY query)."""
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {str(status): counts.get(status, 0) for status in HEALTH_STATUSES}
