"""The API's authentication: a session, and for the accounts that need it a second factor.

Every API view authenticates with `SessionAuthentication` (the DRF default): a session whose
user must pass a second factor and has not (django-otp's `is_verified()`) gets a 403 problem
with a stable code on every route, whatever the view's permissions:

- `otp_required`: the user has an authenticator app; the PWA asks for its code
  (POST /api/v1/auth/otp/verify/);
- `otp_enrolment_required`: a coordinator or an admin without one yet; the PWA sends them to
  the enrolment (POST /api/v1/auth/otp/enrolment/).

Only the few views that lead there (log in and out, the code step, the enrolment, who am I)
use `SessionAuthenticationBeforeSecondFactor` instead.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions

from backend.accounts.perms import second_factor_required, territory_roles
from backend.accounts.selectors import user_has_second_factor
from backend.core import authentication

OTP_REQUIRED = "otp_required"
OTP_ENROLMENT_REQUIRED = "otp_enrolment_required"


def is_verified(user) -> bool:
    """The session passed a second factor (django-otp's OTPMiddleware sets `is_verified`)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def second_factor_missing(user) -> str | None:
    """What `user`'s session still lacks: OTP_REQUIRED, OTP_ENROLMENT_REQUIRED or None."""
    if not user.is_authenticated or is_verified(user):
        return None
    if user_has_second_factor(user=user):
        return OTP_REQUIRED
    if second_factor_required(user):
        return OTP_ENROLMENT_REQUIRED
    return None


def second_factor_denial(missing: str) -> exceptions.PermissionDenied:
    if missing == OTP_REQUIRED:
        message = _("Saisissez le code de votre application d’authentification pour continuer.")
    else:
        message = _("Votre rôle demande une double authentification : activez-la pour continuer.")
    return exceptions.PermissionDenied(message, code=missing)


class SessionAuthenticationBeforeSecondFactor(authentication.SessionAuthentication):
    """A session, second factor or not: only for the views that lead to it."""


class SessionAuthentication(authentication.SessionAuthentication):
    """A session; a 403 when its user must pass a second factor and has not."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            # This request's roles, read once: the second factor and the permission use them.
            territory_roles(result[0], request=request._request)
            missing = second_factor_missing(result[0])
            if missing:
                raise second_factor_denial(missing)
        return result
