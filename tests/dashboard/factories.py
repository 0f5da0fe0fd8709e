"""Factories of what the dashboard reads: scan days and referrals with a past (visits come
from tests/visits/factories.py)."""

import datetime

import factory
from django.utils import timezone

from backend.capteurs.enums import ScanSource
from backend.capteurs.models import Capteur, CodeScanDay
from backend.referrals.enums import ClosingReason, EventKind, Status
from backend.referrals.models import Referral, ReferralEvent
from tests.capteurs.factories import ReferralCodeFactory
from tests.referrals.factories import ReferralFactory


class CodeScanDayFactory(factory.django.DjangoModelFactory):
    """Three QR scans of a code today."""

    class Meta:
        model = CodeScanDay

    code = factory.SubFactory(ReferralCodeFactory)
    day = factory.LazyFunction(timezone.localdate)
    source = ScanSource.QR
    count = 3

    class Params:
        by_link = factory.Trait(source=ScanSource.LINK)


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    """An aware local (Europe/Paris) instant."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))  # noqa: DTZ001


def backdate_capteur(capteur: Capteur, created: datetime.datetime) -> Capteur:
    Capteur.objects.filter(pk=capteur.pk).update(created_at=created)
    capteur.created_at = created
    return capteur


def referral_with_history(
    *,
    received: datetime.datetime,
    contacted: datetime.datetime | None = None,
    met: datetime.datetime | None = None,
    oriented: datetime.datetime | None = None,
    closed: datetime.datetime | None = None,
    reason: str = ClosingReason.ACCOMPANIED,
    due_on: datetime.date | None = None,
    **fields,
) -> Referral:
    """A referral received at `received` that went through each stage given, at its time: the
    rows the intake and triage services leave (status, first contact, met, oriented, closing, one
    `status_changed` event per move, the capteur's `last_referral_at`), backdated."""
    moves = [
        (status, when)
        for status, when in (
            (Status.CONTACTED, contacted),
            (Status.MET, met),
            (Status.ORIENTED, oriented),
            (Status.CLOSED, closed),
        )
        if when is not None
    ]
    status = moves[-1][0] if moves else Status.NEW
    referral = ReferralFactory(
        status=status,
        first_contacted_at=contacted,
        met_at=met,
        oriented_at=oriented,
        closed_at=closed,
        closing_reason=reason if closed else "",
        first_contact_due_on=due_on or (timezone.localdate(received) + datetime.timedelta(days=2)),
        consent_at=received,
        **fields,
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=received)
    referral.created_at = received
    previous = Status.NEW
    for to_status, when in moves:
        payload = {"from": previous.value, "to": to_status.value}
        if to_status == Status.CLOSED:
            payload["reason"] = reason
        event = ReferralEvent.objects.create(
            referral=referral, kind=EventKind.STATUS_CHANGED, payload=payload
        )
        ReferralEvent.objects.filter(pk=event.pk).update(at=when)
        previous = to_status
    if referral.capteur_id:
        capteur = referral.capteur
        if capteur.last_referral_at is None or capteur.last_referral_at < received:
            Capteur.objects.filter(pk=capteur.pk).update(last_referral_at=received)
            capteur.last_referral_at = received
    return referral
