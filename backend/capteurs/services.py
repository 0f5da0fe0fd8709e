"""Writes on capteurs and referral codes. Views, admin actions and commands all call these."""

import secrets
from typing import Any, Literal, overload

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.capteurs.enums import STAGE_TRANSITIONS, ScanSource, Stage
from backend.capteurs.models import Capteur, CodeScanDay, ReferralCode, StageChange
from backend.capteurs.notifications import capteur_space_link_notify
from backend.core.errors import DomainError
from backend.notifications.enums import Channel as NotificationChannel
from backend.notifications.models import Notification

# No 0/O, 1/I/L: a short code is read aloud on the phone and typed in an SMS.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTHS = (4, 4, 4, 5, 5, 5, 6, 6, 6, 6)
TOKEN_BYTES = 24  # 192 bits, URL-safe base64: 32 characters

CAPTEUR_EDITABLE_FIELDS = {
    "name",
    "kind",
    "address",
    "postal_code",
    "city",
    "latitude",
    "longitude",
    "contact_name",
    "phone",
    "email",
    "referent",
    "first_contact_on",
    "summary_channel",
    "notes",
}


def _check_referent(capteur: Capteur) -> None:
    """The référent of a capteur is a facilitator of its territory (ValidationError if not)."""
    if capteur.referent_id is None:
        return
    if not Membership.objects.filter(
        user_id=capteur.referent_id, territory_id=capteur.territory_id, role=Role.FACILITATOR
    ).exists():
        raise ValidationError(
            {"referent": _("Le référent doit être un facilitateur de ce territoire.")}
        )


@transaction.atomic
def capteur_create(*, territory: Territory, actor: User | None, **fields: Any) -> Capteur:
    """Registers a capteur as a prospect in `territory`.

    Precondition: `actor` is a member of `territory` (the API offers only the actor's
    territories). Raises ValidationError when a field is invalid, including a `referent` who
    is not a facilitator of the territory.
    """
    unknown = set(fields) - CAPTEUR_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    capteur = Capteur(territory=territory, stage=Stage.PROSPECT, **fields)
    if capteur.first_contact_on is None:
        capteur.first_contact_on = timezone.localdate()
    capteur.full_clean()
    _check_referent(capteur)
    capteur.save()
    return capteur


@transaction.atomic
def capteur_update(*, capteur: Capteur, actor: User | None, **fields: Any) -> Capteur:
    """Updates the descriptive fields of a capteur. The stage moves only by capteur_move_stage."""
    unknown = set(fields) - CAPTEUR_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(capteur, name, value)
    capteur.full_clean()
    _check_referent(capteur)
    capteur.save()
    return capteur


@transaction.atomic
def capteur_move_stage(
    *, capteur: Capteur, to_stage: str, actor: User | None, note: str = ""
) -> Capteur:
    """Moves a capteur along the pipeline and records the move.

    Becoming a partner for the first time sets `signed_on`. Raises DomainError (409) when the
    pipeline does not allow the move.
    """
    capteur = Capteur.objects.select_for_update().get(pk=capteur.pk)
    from_stage = Stage(capteur.stage)
    to_stage = Stage(to_stage)
    if to_stage not in STAGE_TRANSITIONS[from_stage]:
        allowed = ", ".join(sorted(str(s.label) for s in STAGE_TRANSITIONS[from_stage]))
        raise DomainError(
            _(
                "Un capteur « %(from)s » ne peut pas passer à « %(to)s ». "
                "Étapes possibles : %(allowed)s."
            )
            % {"from": from_stage.label, "to": to_stage.label, "allowed": allowed},
            code="illegal_stage_transition",
        )
    capteur.stage = to_stage
    if to_stage == Stage.PARTNER and capteur.signed_on is None:
        capteur.signed_on = timezone.localdate()
    capteur.save(update_fields=["stage", "signed_on", "updated_at"])
    if to_stage == Stage.WITHDRAWN:
        # Leaving the network: its posters stop working, and its space closes.
        ReferralCode.objects.filter(capteur=capteur, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        capteur_space_revoke(capteur=capteur, actor=actor)
    StageChange.objects.create(
        capteur=capteur, from_stage=from_stage, to_stage=to_stage, actor=actor, note=note
    )
    return capteur


def _new_short_code(length: int) -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(length))


def referral_code_issue(*, capteur: Capteur, actor: User | None, label: str = "") -> ReferralCode:
    """Issues a new code for `capteur`: a fresh unguessable token and a free short code.

    Short codes start at 4 characters and grow when the space gets crowded. A collision is
    detected by the unique constraint and retried in a savepoint, so concurrent issuers never
    receive the same code.
    """
    if capteur.stage == Stage.WITHDRAWN:
        raise DomainError(
            _("Ce capteur s'est retiré du réseau : on ne peut plus lui remettre de code."),
            code="capteur_withdrawn",
        )
    for length in SHORT_CODE_LENGTHS:
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(
                    capteur=capteur,
                    token=secrets.token_urlsafe(TOKEN_BYTES),
                    short_code=_new_short_code(length),
                    label=label,
                    created_by=actor,
                )
        except IntegrityError:
            continue
    raise RuntimeError("No free short code after several attempts.")


# With reissue=True the new code always comes back: callers need no None check.
@overload
def referral_code_revoke(
    *, code: ReferralCode, actor: User | None, reissue: Literal[True]
) -> ReferralCode: ...
@overload
def referral_code_revoke(
    *, code: ReferralCode, actor: User | None, reissue: bool = ...
) -> ReferralCode | None: ...


@transaction.atomic
def referral_code_revoke(
    *, code: ReferralCode, actor: User | None, reissue: bool = False
) -> ReferralCode | None:
    """Revokes `code` (a lost or defaced poster). Returns the new code when `reissue`."""
    code = ReferralCode.objects.select_for_update().select_related("capteur").get(pk=code.pk)
    if code.revoked_at is not None:
        raise DomainError(_("Ce code est déjà révoqué."), code="code_already_revoked")
    code.revoked_at = timezone.now()
    code.revoked_by = actor
    code.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    if reissue:
        return referral_code_issue(capteur=code.capteur, actor=actor, label=code.label)
    return None


def referral_code_record_scan(*, code: ReferralCode, source: str = ScanSource.LINK) -> None:
    """Counts one visit of a code's landing page: its total and last time (one UPDATE), and
    the day's count for `source` (one upsert: a row per code, day and source, never a row per
    scan). Nothing about the visitor is stored."""
    now = timezone.now()
    ReferralCode.objects.filter(pk=code.pk).update(scan_count=F("scan_count") + 1, last_scan_at=now)
    table = CodeScanDay._meta.db_table
    # INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite alike): Django's bulk_create can
    # only overwrite a conflicting row, not add one to it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (code_id, day, source, count) VALUES (%s, %s, %s, 1) "  # noqa: S608 (table name from the model, values bound)
            f"ON CONFLICT (code_id, day, source) DO UPDATE SET count = {table}.count + 1",
            [code.pk, timezone.localdate(now), source],
        )


@transaction.atomic
def capteur_space_issue(*, capteur: Capteur, actor: User | None) -> Capteur:
    """Issues (or reissues) the capteur space's secret link; any previous link stops working."""
    if capteur.stage == Stage.WITHDRAWN:
        raise DomainError(
            _("Ce capteur s'est retiré du réseau : il n'a plus d'espace."),
            code="capteur_withdrawn",
        )
    capteur.space_secret = secrets.token_urlsafe(TOKEN_BYTES)
    capteur.space_secret_issued_at = timezone.now()
    capteur.save(update_fields=["space_secret", "space_secret_issued_at", "updated_at"])
    return capteur


@transaction.atomic
def capteur_space_revoke(*, capteur: Capteur, actor: User | None) -> Capteur:
    """Closes the capteur space: its secret link answers 404 from now on."""
    capteur.space_secret = None
    capteur.space_secret_issued_at = None
    capteur.save(update_fields=["space_secret", "space_secret_issued_at", "updated_at"])
    return capteur


@transaction.atomic
def capteur_space_link_send(
    *,
    capteur: Capteur,
    actor: User | None,
    channel: str = NotificationChannel.SMS,
    phone: str = "",
    email: str = "",
) -> Notification:
    """Sends the capteur its space link (an outbox row, delivered after commit): by SMS to
    `phone` (another mobile given in the shop, the manager's) or else the capteur's phone; by
    e-mail to `email` or else the capteur's e-mail.

    Raises DomainError (409) when the capteur has no space, or no number (no address) to send
    to. A number that cannot get SMS (a landline) gives a notification failed at once, with
    the reason.
    """
    if not capteur.space_secret:
        raise DomainError(
            _("Ce capteur n'a pas encore d'espace : créez d'abord son lien."),
            code="no_capteur_space",
        )
    if channel == NotificationChannel.EMAIL:
        if not (email or capteur.email):
            raise DomainError(
                _("Ce capteur n'a pas d'e-mail : donnez une adresse."),
                code="no_email",
            )
        return capteur_space_link_notify(capteur, channel=channel, recipient=email)
    if not (phone or capteur.phone):
        raise DomainError(
            _("Ce capteur n'a pas de numéro de téléphone : pas de SMS possible."),
            code="no_phone",
        )
    return capteur_space_link_notify(capteur, channel=channel, recipient=phone)
