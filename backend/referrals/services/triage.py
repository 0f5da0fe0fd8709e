"""Triage: what a facilitator does with a referral once it is in the inbox. Contacts, status
moves along the lifecycle table, reassignment, orientation to a structure, notes, corrections
of the person's contact details and a resent acknowledgment. Each write records its event rows
in the same transaction; APIs, the admin and tasks all call these.

Personal data never goes into logs or event payloads: ids and codes only.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.core.errors import DomainError
from backend.notifications.enums import NotificationStatus
from backend.notifications.models import Notification
from backend.referrals import selectors
from backend.referrals.enums import (
    STATUS_TRANSITIONS,
    AttemptOutcome,
    ClosingReason,
    EventKind,
    ReferralTemplate,
    Status,
)
from backend.referrals.models import ContactAttempt, Orientation, Referral, ReferralEvent
from backend.referrals.notifications import notify_assignee, person_acknowledgment_create
from backend.referrals.services.daily import referral_days_refresh

logger = logging.getLogger(__name__)

# A facilitator may resend the person's acknowledgment once in this time per referral: enough
# to correct a number and try again, too little to turn Relais into an SMS cannon.
ACKNOWLEDGMENT_RESEND_INTERVAL = datetime.timedelta(minutes=10)


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _event(
    referral: Referral, event_kind: str, actor: User | None, **payload: object
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral, kind=event_kind, actor=actor, payload=payload
    )


def _move(
    referral: Referral,
    to_status: str,
    actor: User | None,
    *,
    closing_reason: str = "",
    now: datetime.datetime | None = None,
) -> Referral:
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
    if to_status == Status.MET:
        referral.met_at = now
    if to_status == Status.ORIENTED:
        referral.oriented_at = now
    referral.save(
        update_fields=[
            "status",
            "closing_reason",
            "closed_at",
            "first_contacted_at",
            "met_at",
            "oriented_at",
            "updated_at",
        ]
    )
    if to_status == Status.CLOSED and closing_reason == ClosingReason.DUPLICATE:
        # The same person counted twice leaves the past days' figures too.
        referral_days_refresh(referral=referral)
    _event(
        referral,
        EventKind.STATUS_CHANGED,
        actor,
        **{"from": from_status.value, "to": to_status.value},
        **({"reason": closing_reason} if to_status == Status.CLOSED else {}),
    )
    return referral


@transaction.atomic
def referral_move_status(
    *, referral: Referral, to_status: str, actor: User | None, closing_reason: str = ""
) -> Referral:
    """Moves a referral `new → contacted → met → oriented → closed` (closing needs a reason)."""
    return _move(_locked(referral), to_status, actor, closing_reason=closing_reason)


@transaction.atomic
def referral_log_attempt(
    *, referral: Referral, kind: str, outcome: str, actor: User | None
) -> Referral:
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
def referral_reassign(*, referral: Referral, to_user_id: int, actor: User) -> Referral:
    """Gives the referral to another facilitator of its territory (one of
    selectors.reassignment_targets; ValidationError on `assigned_to` otherwise). The new
    assignee is alerted like for a new referral. Raises DomainError (409) when closed."""
    referral = _locked(referral)
    to_user = selectors.reassignment_targets(referral=referral).filter(pk=to_user_id).first()
    if to_user is None:
        raise ValidationError({"assigned_to": [_("Choisissez un facilitateur de ce territoire.")]})
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
        notify_assignee(referral)
    return referral


@transaction.atomic
def referral_add_note(*, referral: Referral, text: str, actor: User | None) -> ReferralEvent:
    """A facilitator's note on the timeline (staff-only, not the person's own message)."""
    return _event(referral, EventKind.NOTE, actor, text=text)


@transaction.atomic
def referral_orient(
    *, referral: Referral, structure_id: int, actor: User, outcome: str | None = None
) -> Orientation:
    """Orients the referral to an active structure of its territory (one of
    selectors.orientable_structures; ValidationError on `structure` otherwise); the referral
    becomes oriented."""
    referral = _locked(referral)
    structure = selectors.orientable_structures(referral=referral).filter(pk=structure_id).first()
    if structure is None:
        raise ValidationError({"structure": [_("Choisissez une structure de ce territoire.")]})
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
def orientation_update_outcome(
    *, orientation: Orientation, outcome: str, actor: User | None
) -> Orientation:
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
    *, referral: Referral, actor: User | None, phone: str | None = None, email: str | None = None
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
def referral_resend_acknowledgment(*, referral: Referral, actor: User | None) -> Notification:
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
        Notification.objects.filter(
            referral=referral, template=ReferralTemplate.PERSON_ACKNOWLEDGMENT
        )
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
    notification = person_acknowledgment_create(referral)
    _event(referral, EventKind.ACKNOWLEDGMENT_RESENT, actor, notification=notification.pk)
    return notification
