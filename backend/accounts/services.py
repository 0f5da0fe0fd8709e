"""Writes on accounts and memberships."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from backend.accounts.models import Membership, User, new_session_token
from backend.core.errors import DomainError


@transaction.atomic
def membership_set_unavailable(
    *, membership: Membership, until: datetime.date | None
) -> Membership:
    """Marks an absence until `until` included (None: available again).

    While away, routing sends new referrals to the territory's other facilitators.
    """
    membership.unavailable_until = until
    membership.save(update_fields=["unavailable_until", "updated_at"])
    return membership


# --- Second factor (django-otp) -------------------------------------------------------------
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Application d'authentification"
RECOVERY_DEVICE_NAME = "Codes de secours"


def normalise_code(code: str) -> str:
    """A code as typed: spaces and dashes dropped, recovery codes in lower case."""
    return "".join(code.split()).replace("-", "").lower()


def is_totp_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> Device | None:
    """The confirmed device of `user` that accepts `code` (a 6-digit code of the authenticator
    app, or a recovery code, then used up), None when none does.

    A refused code counts against the device (django-otp waits 1, 2, 4, 8… seconds after
    successive failures), a code already accepted is refused (a TOTP code works once).
    """
    code = normalise_code(code)
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if is_totp_code(code) else StaticDevice
    )
    for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
        if device.verify_token(code):
            return device
    return None


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator app for `user` (an earlier unconfirmed one is
    dropped). Refused when `user` already has a confirmed one: disable it first."""
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        raise DomainError(
            _("La double authentification est déjà activée."), code="otp_already_enrolled"
        )
    TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def totp_enrolment_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirms the authenticator app being enrolled with one of its codes, and gives `user`
    RECOVERY_CODE_COUNT new recovery codes (returned: they are shown once)."""
    device = (
        TOTPDevice.objects.devices_for_user(user, confirmed=False)
        .select_for_update()
        .order_by("-id")
        .first()
    )
    if device is None:
        raise DomainError(
            _("Aucune activation en cours : recommencez depuis le début."), code="otp_no_enrolment"
        )
    if not device.verify_token(normalise_code(code)):
        raise ValidationError({"code": [_("Code incorrect : saisissez le code affiché.")]})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    return device, codes


@transaction.atomic
def second_factor_disable(*, user: User) -> None:
    """Removes `user`'s authenticator apps and recovery codes (the API asks for a code)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def user_logout_everywhere(*, user: User) -> None:
    """Ends every session of `user`, on every device: their sessions' auth hash changes."""
    user.session_token = new_session_token()
    user.save(update_fields=["session_token"])
