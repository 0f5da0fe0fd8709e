"""What a person's data export says, as one plain document: the JSON export serializes it and
the printable page renders it, so both always say the same.

In French, for the person: each code comes with its label, each event with a short detail
(the text of a staff note, the outcome of a call). Never the staff's alerts about them, never
another person's data.
"""

import datetime
from typing import Any

from backend.notifications.enums import NotificationStatus
from backend.notifications.models import Notification
from backend.notifications.templates import template_label
from backend.privacy.models import PrivacyRequest
from backend.referrals.enums import (
    AnonymisationReason,
    AttemptKind,
    AttemptOutcome,
    CallMoment,
    Channel,
    ClosingReason,
    EventKind,
    FilledBy,
    OrientationOutcome,
    Status,
)
from backend.referrals.models import Referral, ReferralEvent
from backend.structures.enums import Need


def _label(choices, value) -> str:
    """The French label of `value` in `choices` ("" for none, the value itself if unknown)."""
    if not value:
        return ""
    return str(dict(choices.choices).get(value, value))


def person_document(
    *,
    search: PrivacyRequest,
    referrals: list[Referral],
    messages: list[Notification],
    now: datetime.datetime,
) -> dict[str, Any]:
    """Everything `search` found, for the person. `referrals` as read by
    selectors.person_referrals, `messages` by selectors.person_messages."""
    references = {referral.pk: referral.pseudonym for referral in referrals}
    return {
        "request": search.pk,
        "territory": search.territory.name,
        "generated_at": now,
        "referrals": [_referral(referral) for referral in referrals],
        "messages": [
            {
                "reference": (references.get(message.referral_id) if message.referral_id else None),
                "template": message.template,
                "label": template_label(message.template),
                "channel": message.channel,
                "created_at": message.created_at,
                "status": message.status,
                "status_label": _label(NotificationStatus, message.status),
            }
            for message in messages
        ],
    }


def _referral(referral: Referral) -> dict[str, Any]:
    orientations = list(referral.orientations.all())
    structures = {orientation.pk: orientation.structure.name for orientation in orientations}
    return {
        "reference": referral.pseudonym,
        "received_at": referral.created_at,
        "capteur": referral.capteur.name if referral.capteur else None,
        "channel": referral.channel,
        "channel_label": _label(Channel, referral.channel),
        "filled_by": referral.filled_by,
        "filled_by_label": _label(FilledBy, referral.filled_by),
        "first_name": referral.first_name,
        "phone": str(referral.phone) if referral.phone else "",
        "email": referral.email,
        "call_moments": list(referral.call_moments),
        "call_moments_labels": [_label(CallMoment, m) for m in referral.call_moments],
        "needs": list(referral.needs),
        "needs_labels": [_label(Need, need) for need in referral.needs],
        "note": referral.note,
        "consent_at": referral.consent_at,
        "consent_version": referral.consent_version,
        "status": referral.status,
        "status_label": _label(Status, referral.status),
        "closing_reason": referral.closing_reason,
        "closing_reason_label": _label(ClosingReason, referral.closing_reason),
        "facilitator_first_name": (
            referral.assigned_to.first_name if referral.assigned_to else None
        ),
        "first_contact_due_on": referral.first_contact_due_on,
        "first_contacted_at": referral.first_contacted_at,
        "closed_at": referral.closed_at,
        "anonymised_at": referral.anonymised_at,
        "events": [
            {
                "at": event.at,
                "kind": event.kind,
                "label": _label(EventKind, event.kind),
                "detail": _event_detail(event, structures),
            }
            for event in referral.events.all()
        ],
        "orientations": [
            {
                "structure": orientation.structure.name,
                "outcome": orientation.outcome,
                "outcome_label": _label(OrientationOutcome, orientation.outcome),
                "created_at": orientation.created_at,
            }
            for orientation in orientations
        ],
    }


def _event_detail(event: ReferralEvent, structures: dict[int, str]) -> str:
    """A short French detail of an event, from its payload (ids and codes only)."""
    payload = event.payload or {}
    if event.kind == EventKind.NOTE:
        return payload.get("text", "")
    if event.kind == EventKind.CONTACT_ATTEMPT:
        return (
            f"{_label(AttemptKind, payload.get('kind'))} : "
            f"{_label(AttemptOutcome, payload.get('outcome'))}"
        )
    if event.kind == EventKind.STATUS_CHANGED:
        detail = f"{_label(Status, payload.get('from'))} → {_label(Status, payload.get('to'))}"
        reason = _label(ClosingReason, payload.get("reason"))
        return f"{detail} ({reason})" if reason else detail
    if event.kind in (EventKind.ORIENTED, EventKind.ORIENTATION_UPDATED):
        orientation_id = payload.get("orientation")
        structure = structures.get(orientation_id, "") if isinstance(orientation_id, int) else ""
        outcome = _label(OrientationOutcome, payload.get("outcome") or payload.get("to"))
        return ", ".join(part for part in (structure, outcome) if part)
    if event.kind == EventKind.ANONYMISED:
        return _label(AnonymisationReason, payload.get("reason"))
    return ""
