"""Helpers of the second factor (django-otp) for the API: the session, the enrolment QR."""

from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice


def verify_session(request, device: Device) -> None:
    """Marks the session as verified by `device`, under a new session key (a session
    fixed before the second factor is worth nothing after it)."""
    request.session.cycle_key()
    django_otp.login(request, device)


def totp_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed by hand (base32, no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(data: str) -> str:
    """An SVG QR code of `data` (an otpauth:// link) to scan from the screen."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")
