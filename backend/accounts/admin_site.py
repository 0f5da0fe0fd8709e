"""Django's admin behind a second factor, for everyone who may open it.

`RelaisAdminConfig` (apps.py) replaces "django.contrib.admin" in INSTALLED_APPS: `admin.site`
(where every app registers its models) is then a `RelaisAdminSite`, django-otp's admin site,
whose login form asks for the code of an authenticator app (or a recovery code) with the
password, and which admits only a session verified that way.
"""

from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from backend.accounts.models import User
from backend.accounts.services import is_totp_code, normalise_code


class AdminLoginForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form, which also finds the device from the code when none is
    chosen: 6 digits, the authenticator app; anything else, a recovery code."""

    def _chosen_device(self, user: User) -> Device | None:
        device = super()._chosen_device(user)
        if device is None:
            code = normalise_code(self.cleaned_data.get("otp_token") or "")
            model: type[TOTPDevice] | type[StaticDevice] = (
                TOTPDevice if is_totp_code(code) else StaticDevice
            )
            found = model.objects.devices_for_user(user, confirmed=True).select_for_update()
            device = found.first()
        return device


class RelaisAdminSite(OTPAdminSite):
    login_form = AdminLoginForm

    def __init__(self, name: str = "admin") -> None:
        # OTPAdminSite names itself "otpadmin": keep the "admin:" URL namespace.
        super().__init__(name)
