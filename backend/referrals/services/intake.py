"""Intake: the one way a referral comes into Relais.

Every door is a thin adapter that crosses into `referral_submit` once: the public form
(/r/<token>), the capteur space (/c/<secret>), the intake API and an SMS with a capteur's short
code (backend.referrals.inbound_sms). Each finds the code its own way (a token, a secret, a
short code); everything else is decided here, in this order:

1. the code is active (CodeInactive);
2. the submission keeps the rules of a referral (ValidationError, per field): consent given, a
   phone or an e-mail, a phone a person can be called back on (no premium-rate or other
   service number: CALLABLE_PHONE_TYPES), free text within its bounds, needs and call moments
   from their vocabularies, each counted once (a value given twice is kept once);
3. an SMS from a number that texted this capteur's code within RESUBMISSION_WINDOW is the same
   person asking again: the first referral is returned, nobody is alerted twice;
4. the per-code rate limit, counted for valid submissions only (CodeRateLimited, 429);
5. an idempotency key already used returns the first referral (IdempotencyConflict when the
   payload differs);
6. the referral is written with its events, flagged as a possible duplicate of a recent one
   with the same contact, routed to a facilitator with a due date, and its messages are
   written to the outbox, all in one transaction.

Personal data never goes into logs or event payloads: ids and codes only.
"""

import dataclasses
import datetime
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.accounts.models import Territory
from backend.capteurs.models import Capteur, ReferralCode
from backend.core.calendar import add_working_days
from backend.core.errors import DomainError
from backend.referrals import routing
from backend.referrals.enums import CallMoment, Channel, EventKind, FilledBy
from backend.referrals.models import (
    EMAIL_MAX_LENGTH,
    FIRST_NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Referral,
    ReferralEvent,
)
from backend.referrals.notifications import notify_new_referral
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION
from backend.referrals.throttles import code_rate_wait
from backend.structures.enums import Need

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = datetime.timedelta(days=30)
RESUBMISSION_WINDOW = datetime.timedelta(hours=24)

PHONE_OR_EMAIL_MESSAGE = gettext_lazy(
    "Laissez un numéro de téléphone, ou à défaut une adresse e-mail."
)
CONSENT_MESSAGE = gettext_lazy("Cochez la case pour que nous puissions vous rappeler.")
PHONE_TYPE_MESSAGE = gettext_lazy(
    "Ce numéro est un numéro de service (surtaxé, gratuit ou spécial). "
    "Laissez un numéro où l'on peut vous joindre : un portable ou un fixe."
)
TOO_MANY_CHOICES_MESSAGE = gettext_lazy("Chaque choix une seule fois : %(max)d au plus.")

# The numbers a person may leave to be called back: a line of their own. A landline is fine
# (we call it; it gets no SMS), and so is VoIP, which French box lines (09) are. Premium-rate,
# shared-cost, toll-free, UAN, "personal" (forwarding), pager and voicemail numbers are
# services, not a person: calling them costs the network money (premium-rate fraud) or
# reaches nobody.
CALLABLE_PHONE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.VOIP,
    }
)
# Each need and call moment counts once, so a list is never longer than its vocabulary.
MAX_NEEDS = len(Need.values)
MAX_CALL_MOMENTS = len(CallMoment.values)


class CodeInactive(DomainError):
    """The code was revoked (a defaced poster, a capteur that left the network)."""

    code = "code_revoked"


class CodeRateLimited(DomainError):
    """Too many referrals through one code: a poster cannot flood the facilitators' inbox.
    `wait` is the number of seconds before the next one is accepted (Retry-After)."""

    status_code = 429
    code = "throttled"

    def __init__(self, wait: int):
        super().__init__(_("Trop d'envois avec ce code : réessayez plus tard."))
        self.wait = wait


class IdempotencyConflict(DomainError):
    """The idempotency key was already used for a different submission."""

    status_code = 422
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class Submission:
    """What a person (or a capteur on their behalf) submits, already validated in shape by
    the door it came through (form, serializer, SMS). `consent`: the person agreed to be
    called back (the checkbox; texting the code, for an SMS)."""

    first_name: str
    phone: str = ""  # E.164, or "" when an email is given
    email: str = ""
    call_moments: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    note: str = ""
    filled_by: str = FilledBy.PERSON
    channel: str = Channel.LINK
    consent: bool = False

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
    created: bool  # False when an earlier referral was returned (replay, same person again)


def referral_submit(
    *,
    code: ReferralCode,
    submission: Submission,
    idempotency_key: str | None = None,
    acknowledgment_sender: dict[str, str] | None = None,
    consent_version: str = PRIVACY_NOTICE_VERSION,
) -> SubmitResult:
    """Records a referral through a capteur's `code` and routes it to a facilitator (see the
    module docstring for every rule and its order).

    Precondition: `code` has `capteur__territory` loaded. Raises CodeInactive (409),
    ValidationError (400, per field), CodeRateLimited (429) or IdempotencyConflict (422).
    Concurrent submissions with one idempotency key leave exactly one referral.
    `acknowledgment_sender` (sender, sender_number) sends the person's acknowledgment from the
    territory's two-way number, when the person texted it; `consent_version` is the notice
    the person saw.
    """
    if not code.is_active:
        raise CodeInactive(_("Ce code n'est plus valable."))
    submission = _check_submission(submission)
    if submission.channel == Channel.SMS:
        recent = _same_person_again(code=code, submission=submission)
        if recent is not None:
            logger.info("referral %s: same number texted the code again", recent.pk)
            return SubmitResult(referral=recent, created=False)
    wait = code_rate_wait(code.token)
    if wait is not None:
        raise CodeRateLimited(wait)
    fingerprint = submission.fingerprint(code)
    try:
        with transaction.atomic():
            referral = _create_referral(
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


def phone_refusal(phone: str) -> str | None:
    """Why a person may not leave `phone` (E.164) to be called back (not a valid number, or a
    service number: see CALLABLE_PHONE_TYPES), or None. No query."""
    try:
        number = phonenumbers.parse(phone)
    except phonenumbers.NumberParseException:
        return str(_("Saisissez un numéro de téléphone valide."))
    if not phonenumbers.is_valid_number(number):
        return str(_("Saisissez un numéro de téléphone valide."))
    if phonenumbers.number_type(number) not in CALLABLE_PHONE_TYPES:
        return str(PHONE_TYPE_MESSAGE)
    return None


def distinct(values: Iterable[str]) -> list[str]:
    """`values` without repeats, in their first order (["emploi", "emploi"] → ["emploi"])."""
    return list(dict.fromkeys(values))


def _check_submission(submission: Submission) -> Submission:
    """`submission` with its needs and call moments counted once each, or ValidationError
    (per field) when it breaks a rule of a referral. Every door gets these rules, whatever it
    checked itself."""
    errors: dict[str, list[str]] = {}
    if not submission.consent:
        errors["consent"] = [str(CONSENT_MESSAGE)]
    if not submission.phone and not submission.email:
        errors["phone"] = [str(PHONE_OR_EMAIL_MESSAGE)]
    elif submission.phone:
        refusal = phone_refusal(submission.phone)
        if refusal:
            errors["phone"] = [refusal]
    for name, limit in (
        ("first_name", FIRST_NAME_MAX_LENGTH),
        ("email", EMAIL_MAX_LENGTH),
        ("note", NOTE_MAX_LENGTH),
    ):
        if len(getattr(submission, name)) > limit:
            errors[name] = [_("%(max)d caractères au plus.") % {"max": limit}]
    for name, vocabulary in (("needs", Need.values), ("call_moments", CallMoment.values)):
        if not set(getattr(submission, name)) <= set(vocabulary):
            errors[name] = [_("Choisissez dans la liste proposée.")]
    if errors:
        raise ValidationError(errors)
    return dataclasses.replace(
        submission,
        needs=distinct(submission.needs),
        call_moments=distinct(submission.call_moments),
    )


def _same_person_again(*, code: ReferralCode, submission: Submission) -> Referral | None:
    """The referral this number made through the same capteur within RESUBMISSION_WINDOW."""
    return Referral.objects.filter(
        phone=submission.phone,
        capteur_id=code.capteur_id,
        created_at__gte=timezone.now() - RESUBMISSION_WINDOW,
    ).first()


def _create_referral(
    *,
    code: ReferralCode,
    submission: Submission,
    idempotency_key: str | None,
    fingerprint: str,
    acknowledgment_sender: dict[str, str],
    consent_version: str,
) -> Referral:
    capteur = code.capteur
    territory = capteur.territory
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
        first_contact_due_on=add_working_days(today, territory.first_contact_working_days),
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
    Capteur.objects.filter(pk=capteur.pk).update(last_referral_at=now)
    # The facilitator's alert, the person's acknowledgment (or the coordinators' alert):
    # outbox rows in this same transaction, delivered after commit.
    notify_new_referral(referral, acknowledgment_sender=acknowledgment_sender)
    return referral


def _recent_referral_with_same_contact(
    *, territory: Territory, submission: Submission, since: datetime.datetime
) -> Referral | None:
    """The latest referral of the territory since `since` with the same phone (or email)."""
    match: dict[str, str]
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
