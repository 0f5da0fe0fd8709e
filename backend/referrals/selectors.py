"""Reads of referrals, scoped to the user's territories, with the joins lists need."""

from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from backend.notifications.enums import Template
from backend.notifications.models import Notification
from backend.referrals.enums import Status
from backend.referrals.models import AccessLog, Orientation, Referral, ReferralEvent


def referral_queryset(*, user):
    """Referrals `user` may see, with what lists show: joins, and the outcome of the person's
    latest acknowledgment SMS (`acknowledgment_sms_status`, `_last_error`, `_at`: subqueries of
    the same query, so the inbox stays one query however many rows it has)."""
    return (
        Referral.objects.for_user(user)
        .select_related("territory", "capteur", "assigned_to", "possible_duplicate_of")
        .annotate(**_latest_acknowledgment_annotations())
    )


def _latest_acknowledgment_annotations():
    latest = Notification.objects.filter(
        referral=OuterRef("pk"), template=Template.PERSON_ACKNOWLEDGMENT
    ).order_by("-created_at", "-id")
    fields = {"status": "status", "last_error": "last_error", "at": "updated_at"}
    return {
        f"acknowledgment_sms_{name}": Subquery(latest.values(field)[:1])
        for name, field in fields.items()
    }


def overdue_q(today=None):
    """Not contacted yet and past its first-contact due date."""
    today = today or timezone.localdate()
    return Q(status=Status.NEW, first_contact_due_on__lt=today)


def referral_get(*, user, pk) -> Referral:
    """The referral `pk` if `user` may see it; 404 otherwise (whether it exists or not)."""
    return get_object_or_404(referral_queryset(user=user), pk=pk)


def referral_event_list(*, referral):
    return ReferralEvent.objects.filter(referral=referral).select_related("actor")


def orientation_list(*, referral):
    return Orientation.objects.filter(referral=referral).select_related("structure")


def orientation_get(*, user, pk) -> Orientation:
    return get_object_or_404(
        Orientation.objects.for_user(user).select_related("referral", "structure"), pk=pk
    )


def referral_record_access(*, user, referrals, action) -> None:
    """Audit: `user` read the personal data of `referrals` (one INSERT)."""
    AccessLog.objects.bulk_create(
        [AccessLog(referral=referral, user=user, action=action) for referral in referrals]
    )
