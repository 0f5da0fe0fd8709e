"""Reads of what Relais holds on one person, and of the requests about it.

A person is found by their phone (E.164) or e-mail among the referrals of one territory, and
the messages sent to that contact with no referral (e.g. the reply to an SMS with no code).
"""

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from backend.accounts.models import Territory, User
from backend.notifications.models import Notification
from backend.privacy.models import PrivacyRequest
from backend.referrals.enums import PERSON_TEMPLATES
from backend.referrals.models import Orientation, Referral, ReferralEvent


def person_referral_ids(*, territory: Territory, phone: str = "", email: str = "") -> list[int]:
    """The ids of `territory`'s referrals left with `phone` (E.164) or `email` (case ignored),
    oldest first. Anonymised referrals hold neither any more: they are not found."""
    match = Q()
    if phone:
        match |= Q(phone=phone)
    if email:
        match |= Q(email__iexact=email)
    if not match:
        return []
    return list(
        Referral.objects.filter(match, territory=territory)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )


def person_unlinked_message_ids(*, territory: Territory, recipients: list[str]) -> list[int]:
    """The ids of the messages to one of `recipients` linked to no referral, from `territory`
    or from no territory (an SMS to the network's number that matched no territory)."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return []
    return list(
        Notification.objects.filter(
            Q(territory=territory) | Q(territory__isnull=True),
            referral__isnull=True,
            recipient__in=recipients,
            template__in=PERSON_TEMPLATES,
        )
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )


def privacy_search_get(*, user: User, pk: int) -> PrivacyRequest:
    """The search `pk` of one of `user`'s territories; 404 otherwise (another territory's, or
    an export or erasure row)."""
    return get_object_or_404(
        PrivacyRequest.objects.for_user(user)
        .filter(kind=PrivacyRequest.Kind.SEARCH)
        .select_related("territory", "requested_by"),
        pk=pk,
    )


def referral_summaries(*, referral_ids: list[int]) -> list[Referral]:
    """The referrals `referral_ids`, to show what a request is about (no personal data)."""
    return list(
        Referral.objects.filter(pk__in=referral_ids)
        .select_related("capteur")
        .only("id", "created_at", "status", "channel", "anonymised_at", "capteur__name")
        .order_by("created_at", "id")
    )


def person_referrals(*, referral_ids: list[int]) -> list[Referral]:
    """The referrals `referral_ids` with everything an export shows: capteur, territory,
    assignee, timeline and orientations (with structures). Four queries."""
    return list(
        Referral.objects.filter(pk__in=referral_ids)
        .select_related("territory", "capteur", "assigned_to")
        # django-stubs cannot type a Prefetch of a custom queryset class (ReferralRowQuerySet).
        .prefetch_related(  # type: ignore[type-var]
            Prefetch("events", queryset=ReferralEvent.objects.order_by("at", "id")),
            Prefetch(
                "orientations",
                queryset=Orientation.objects.select_related("structure").order_by(
                    "created_at", "id"
                ),
            ),
        )
        .order_by("created_at", "id")
    )


def person_messages(*, referral_ids: list[int], notification_ids: list[int]) -> list[Notification]:
    """The messages sent to the person: those of their referrals addressed to them (their
    acknowledgment, not the staff's alerts) and the other messages `notification_ids`."""
    return list(
        Notification.objects.filter(
            Q(referral_id__in=referral_ids, template__in=PERSON_TEMPLATES)
            | Q(pk__in=notification_ids)
        )
        .only("id", "referral_id", "template", "channel", "status", "created_at", "sent_at")
        .order_by("created_at", "id")
    )
