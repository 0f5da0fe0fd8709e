"""Reads of referrals, scoped to the user's territories, with the joins lists need."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from backend.referrals.enums import Status
from backend.referrals.models import AccessLog, Orientation, Referral, ReferralEvent


def referral_queryset(*, user):
    return Referral.objects.for_user(user).select_related(
        "territory", "capteur", "assigned_to", "possible_duplicate_of"
    )


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
