"""Writes on referrals. The public form, the intake API, the triage API and the admin all call
these; each writes its event rows in the same transaction.

Personal data never goes into logs or event payloads: ids and codes only.
"""

import datetime
import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import Role
from backend.accounts.models import Membership
from backend.capteurs.models import Capteur, ReferralCode
from backend.core.errors import DomainError
from backend.notifications import services as notification_services
from backend.notifications.enums import NotificationStatus, Template
from backend.notifications.models import Notification
from backend.referrals import routing
from backend.referrals.enums import (
    STATUS_TRANSITIONS,
    AttemptOutcome,
    Channel,
    ClosingReason,
    EventKind,
    FilledBy,
    Status,
)
from backend.referrals.models import ContactAttempt, Orientation, Referral, ReferralEvent
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = datetime.timedelta(days=30)
# A facilitator may resend the person's acknowledgment once in this time per referral: enough
# to correct a number and try again, too little to turn Relais into an SMS cannon.
ACKNOWLEDGMENT_RESEND_INTERVAL = datetime.timedelta(minutes=10)


class IdempotencyConflict(DomainError):
    """The idempotency key was already used for a different submission."""

    status_code = 422
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Submission:
    """What a person (or a capteur on their behalf) submits. Already validated in shape."""

    first_name: str
    phone: str = ""  # E.164, or "" when an email is given
    email: str = ""
    call_moments: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    note: str = ""
    filled_by: str = FilledBy.PERSON
    channel: str = Channel.LINK

    def fingerprint(self, code: ReferralCode | None) -> str:
        payload = {
            "code": code.token if code else None,
            "first_name": self.first_name,
            "phone": str(self.phone),
            "email": self.email.lower(),
            "call_moments": sorted(self.call_moments),
            "needs": sorted(self.needs),
            "note": self.note,
            "filled_by": self.filled_by,
            "channel": self.channel,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class SubmitResult:
    referral: Referral
    created: bool  # False when an idempotent replay returned the first referral


def referral_submit(
    *,
    code: ReferralCode,
    submission: Submission,
    idempotency_key: str | None = None,
    acknowledgment_sender: dict | None = None,
    consent_version: str = PRIVACY_NOTICE_VERSION,
) -> SubmitResult:
    """Records a referral from a capteur's code and routes it to a facilitator.

    Preconditions: `code` is active, with `capteur__territory` loaded; consent was given
    (callers refuse the submission otherwise). The same `idempotency_key` twice returns the
    first referral (created=False) and raises IdempotencyConflict (422) when the payload
    differs; concurrent submissions with one key leave exactly one referral.
    `acknowledgment_sender` (sender, sender_number) sends the person's acknowledgment from the
    territory's two-way number, when the person texted it.
    """
    if not code.is_active:
        raise DomainError(_("Ce code n'est plus valable."), code="code_revoked")
    fingerprint = submission.fingerprint(code)
    try:
        with transaction.atomic():
            referral = _create_referral(
                territory=code.capteur.territory,
                capteur=code.capteur,
                code=code,
                submission=submission,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                acknowledgment_sender=acknowledgment_sender or {},
                consent_version=consent_version,
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        existing = Referral.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        if existing.idempotency_fingerprint != fingerprint:
            raise IdempotencyConflict(
                _("Cette clé d'idempotence a déjà servi pour une autre orientation.")
            ) from None
        return SubmitResult(referral=existing, created=False)
    logger.debug("referral %s submitted through code %s", referral.pk, code.pk)
    return SubmitResult(referral=referral, created=True)


def _create_referral(
    *,
    territory,
    capteur,
    code,
    submission,
    idempotency_key,
    fingerprint,
    acknowledgment_sender,
    consent_version,
):
    now = timezone.now()
    today = timezone.localdate(now)
    duplicate_of = _recent_referral_with_same_contact(
        territory=territory, submission=submission, since=now - DUPLICATE_WINDOW
    )
    assignee = routing.pick_facilitator(territory=territory, capteur=capteur, today=today)
    referral = Referral.objects.create(
        territory=territory,
        capteur=capteur,
        code=code,
        first_name=submission.first_name,
        phone=submission.phone,
        email=submission.email,
        call_moments=submission.call_moments,
        needs=submission.needs,
        note=submission.note,
        consent_at=now,
        consent_version=consent_version,
        filled_by=submission.filled_by,
        channel=submission.channel,
        idempotency_key=idempotency_key or None,
        idempotency_fingerprint=fingerprint if idempotency_key else "",
        assigned_to=assignee,
        first_contact_due_on=routing.add_working_days(today, territory.first_contact_working_days),
        possible_duplicate_of=duplicate_of,
    )
    events = [
        ReferralEvent(
            referral=referral,
            kind=EventKind.CREATED,
            payload={"channel": submission.channel, "filled_by": submission.filled_by},
        ),
        ReferralEvent(referral=referral, kind=EventKind.ASSIGNED, payload={"to": assignee.pk})
        if assignee
        else ReferralEvent(referral=referral, kind=EventKind.UNASSIGNED),
    ]
    if duplicate_of:
        events.append(
            ReferralEvent(
                referral=referral,
                kind=EventKind.DUPLICATE_FLAGGED,
                payload={"of": duplicate_of.pk},
            )
        )
    ReferralEvent.objects.bulk_create(events)
    if capteur is not None:
        Capteur.objects.filter(pk=capteur.pk).update(last_referral_at=now)
    # The facilitator's alert, the person's acknowledgment (or the coordinators' alert):
    # outbox rows in this same transaction, delivered after commit.
    notification_services.notify_new_referral(referral, acknowledgment_sender=acknowledgment_sender)
    return referral


def _recent_referral_with_same_contact(*, territory, submission, since):
    """The latest referral of the territory since `since` with the same phone (or email)."""
    if submission.phone:
        match = {"phone": submission.phone}
    elif submission.email:
        match = {"email__iexact": submission.email}
    else:
        return None
    return (
        Referral.objects.filter(territory=territory, created_at__gte=since, **match)
        .order_by("-created_at", "-id")
        .only("id")
        .first()
    )


# --- triage ------------------------------------------------------------------------------


def _locked(referral):
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _event(referral, event_kind, actor, **payload):
    return ReferralEvent.objects.create(
        referral=referral, kind=event_kind, actor=actor, payload=payload
    )


def _move(referral, to_status, actor, *, closing_reason="", now=None):
    """Moves a locked referral along the lifecycle table, or raises DomainError (409)."""
    from_status = Status(referral.status)
    to_status = Status(to_status)
    if to_status not in STATUS_TRANSITIONS[from_status]:
        if from_status == Status.CLOSED:
            message = _("Cette orientation est clôturée : elle ne peut plus changer de statut.")
        else:
            allowed = ", ".join(str(s.label) for s in sorted(STATUS_TRANSITIONS[from_status]))
            message = _(
                "Une orientation « %(from)s » ne peut pas passer à « %(to)s ». "
                "Statuts possibles : %(allowed)s."
            ) % {"from": from_status.label, "to": to_status.label, "allowed": allowed}
        raise DomainError(message, code="illegal_status_transition")
    if to_status == Status.CLOSED and closing_reason not in ClosingReason.values:
        raise DomainError(_("Indiquez le motif de clôture."), code="closing_reason_required")
    now = now or timezone.now()
    referral.status = to_status
    if to_status == Status.CLOSED:
        referral.closing_reason = closing_reason
        referral.closed_at = now
    if to_status == Status.CONTACTED and referral.first_contacted_at is None:
        referral.first_contacted_at = now
    referral.save(
        update_fields=["status", "closing_reason", "closed_at", "first_contacted_at", "updated_at"]
    )
    _event(
        referral,
        EventKind.STATUS_CHANGED,
        actor,
        **{"from": from_status.value, "to": to_status.value},
        **({"reason": closing_reason} if to_status == Status.CLOSED else {}),
    )
    return referral


@transaction.atomic
def referral_move_status(*, referral, to_status, actor, closing_reason="") -> Referral:
    """Moves a referral `new → contacted → met → oriented → closed` (closing needs a reason)."""
    return _move(_locked(referral), to_status, actor, closing_reason=closing_reason)


@transaction.atomic
def referral_log_attempt(*, referral, kind, outcome, actor) -> Referral:
    """Records a call/SMS/visit attempt. Reaching a new referral's person marks it contacted."""
    referral = _locked(referral)
    if referral.status == Status.CLOSED:
        raise DomainError(
            _("Cette orientation est clôturée : on ne peut plus y noter de contact."),
            code="referral_closed",
        )
    ContactAttempt.objects.create(referral=referral, kind=kind, outcome=outcome, actor=actor)
    if outcome == AttemptOutcome.REACHED:
        referral.unanswered_attempts = 0
    else:
        referral.unanswered_attempts = F("unanswered_attempts") + 1
    referral.save(update_fields=["unanswered_attempts", "updated_at"])
    referral.refresh_from_db(fields=["unanswered_attempts"])
    _event(referral, EventKind.CONTACT_ATTEMPT, actor, kind=kind, outcome=outcome)
    if outcome == AttemptOutcome.REACHED and referral.status == Status.NEW:
        _move(referral, Status.CONTACTED, actor)
    return referral


@transaction.atomic
def referral_reassign(*, referral, to_user, actor) -> Referral:
    """Gives the referral to another facilitator of its territory."""
    referral = _locked(referral)
    if not Membership.objects.filter(
        user=to_user, territory_id=referral.territory_id, role=Role.FACILITATOR
    ).exists():
        raise DomainError(
            _("On ne peut confier une orientation qu'à un facilitateur de son territoire."),
            code="not_a_facilitator",
        )
    if referral.status == Status.CLOSED:
        raise DomainError(
            _("Cette orientation est clôturée : elle ne peut plus être réattribuée."),
            code="referral_closed",
        )
    previous = referral.assigned_to_id
    referral.assigned_to = to_user
    referral.save(update_fields=["assigned_to", "updated_at"])
    _event(referral, EventKind.REASSIGNED, actor, **{"from": previous, "to": to_user.pk})
    if to_user.pk != previous:
        # The new assignee hears of it like of a new referral (outbox, after commit).
        notification_services.notify_assignee(referral)
    return referral


@transaction.atomic
def referral_add_note(*, referral, text, actor) -> ReferralEvent:
    """A facilitator's note on the timeline (staff-only, not the person's own message)."""
    return _event(referral, EventKind.NOTE, actor, text=text)


@transaction.atomic
def referral_orient(*, referral, structure, actor, outcome=None) -> Orientation:
    """Orients the referral to a structure of its territory; the referral becomes oriented."""
    referral = _locked(referral)
    if structure.territory_id != referral.territory_id:
        raise DomainError(
            _("Cette structure n'appartient pas au territoire de l'orientation."),
            code="structure_other_territory",
        )
    if referral.status != Status.ORIENTED:
        _move(referral, Status.ORIENTED, actor)
    orientation = Orientation.objects.create(
        referral=referral,
        structure=structure,
        created_by=actor,
        **({"outcome": outcome} if outcome else {}),
    )
    _event(
        referral,
        EventKind.ORIENTED,
        actor,
        orientation=orientation.pk,
        structure=structure.pk,
        outcome=orientation.outcome,
    )
    return orientation


@transaction.atomic
def orientation_update_outcome(*, orientation, outcome, actor) -> Orientation:
    orientation = Orientation.objects.select_for_update().get(pk=orientation.pk)
    previous = orientation.outcome
    orientation.outcome = outcome
    orientation.save(update_fields=["outcome", "updated_at"])
    _event(
        orientation.referral,
        EventKind.ORIENTATION_UPDATED,
        actor,
        orientation=orientation.pk,
        **{"from": previous, "to": outcome},
    )
    return orientation


# --- the person's contact details and acknowledgment ---------------------------------------


@transaction.atomic
def referral_update_contact(
    *, referral: Referral, actor, phone: str | None = None, email: str | None = None
) -> Referral:
    """Corrects the person's phone and/or email (a facilitator who reached them otherwise).

    `None` leaves a field as it is, "" removes it; `phone` is E.164. Raises ValidationError
    (400) when neither a phone nor an email would remain. Writes a `contact_corrected` event
    naming the changed fields only (never the values), and nothing when nothing changed.
    Duplicate detection is not re-run: it flags new submissions, not a known person's number.
    """
    referral = _locked(referral)
    if referral.anonymised_at is not None:
        raise DomainError(
            _("Cette orientation est anonymisée : ses coordonnées ne peuvent plus changer."),
            code="referral_anonymised",
        )
    new = {
        "phone": str(referral.phone or "") if phone is None else phone,
        "email": referral.email if email is None else email,
    }
    if not new["phone"] and not new["email"]:
        raise ValidationError(
            {"phone": [_("Gardez au moins un numéro de téléphone ou une adresse e-mail.")]}
        )
    changed = [
        name
        for name, current in (("phone", str(referral.phone or "")), ("email", referral.email))
        if new[name] != current
    ]
    if not changed:
        return referral
    referral.phone = new["phone"]
    referral.email = new["email"]
    referral.save(update_fields=["phone", "email", "updated_at"])
    _event(referral, EventKind.CONTACT_CORRECTED, actor, fields=changed)
    logger.info("referral %s: contact corrected (%s)", referral.pk, ", ".join(changed))
    return referral


@transaction.atomic
def referral_resend_acknowledgment(*, referral: Referral, actor) -> Notification:
    """Sends the person's acknowledgment SMS again, to the referral's current phone, after the
    previous one failed (typically once a facilitator corrected the number).

    Raises DomainError (409) when the referral is closed or has no phone, when its latest
    acknowledgment did not fail (nothing to resend), or when one was resent less than
    ACKNOWLEDGMENT_RESEND_INTERVAL ago. Writes an `acknowledgment_resent` event; the SMS is an
    outbox row delivered after commit (a number that cannot get SMS leaves it failed at once).
    """
    referral = _locked(referral)
    if referral.status == Status.CLOSED:
        raise DomainError(
            _("Cette orientation est clôturée : pas d'accusé de réception à renvoyer."),
            code="referral_closed",
        )
    if not referral.phone:
        raise DomainError(
            _("Cette orientation n'a pas de numéro de téléphone : pas de SMS à renvoyer."),
            code="no_phone",
        )
    latest = (
        Notification.objects.filter(referral=referral, template=Template.PERSON_ACKNOWLEDGMENT)
        .order_by("-created_at", "-id")
        .only("status")
        .first()
    )
    if latest is None or latest.status != NotificationStatus.FAILED:
        raise DomainError(
            _("Le dernier accusé de réception n'a pas échoué : il n'y a rien à renvoyer."),
            code="nothing_to_resend",
        )
    if ReferralEvent.objects.filter(
        referral=referral,
        kind=EventKind.ACKNOWLEDGMENT_RESENT,
        at__gte=timezone.now() - ACKNOWLEDGMENT_RESEND_INTERVAL,
    ).exists():
        raise DomainError(
            _(
                "L'accusé de réception vient d'être renvoyé : attendez quelques minutes "
                "avant de réessayer."
            ),
            code="resend_too_soon",
        )
    notification = notification_services.person_acknowledgment_create(referral)
    _event(referral, EventKind.ACKNOWLEDGMENT_RESENT, actor, notification=notification.pk)
    return notification
