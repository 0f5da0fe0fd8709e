"""What a print shows, as display-ready values, and the ETag that changes when any of it does."""

import hashlib
import json
from dataclasses import asdict, dataclass

import phonenumbers
from django.conf import settings
from django.utils.translation import get_language

# Bump whenever the drawing changes: it is part of every ETag, so browsers fetch the new look.
LAYOUT_VERSION = 2


@dataclass(frozen=True)
class PrintContent:
    """Everything a print of a referral code shows, as display-ready strings.

    `active` is not drawn: it is there so the ETag changes when the code is revoked.
    """

    capteur_name: str
    territory_name: str
    url: str  # the short link printed for a person to type (counts as a scan "short")
    qr_url: str  # the link the QR code carries (counts as channel "qr")
    short_code: str
    sms_number: str  # nationally formatted ("06 44 63 01 01"), "" when the territory has none
    phone: str  # the territory's line to call, "" when it has none
    active: bool

    @property
    def display_url(self):
        """The link without its scheme: what a person would type."""
        return self.url.split("://", 1)[-1]


def print_content(code) -> PrintContent:
    """The printable values of `code` (a ReferralCode with `capteur__territory` loaded)."""
    territory = code.capteur.territory
    return PrintContent(
        capteur_name=code.capteur.name,
        territory_name=territory.name,
        url=code.short_url,
        qr_url=code.qr_url,
        short_code=code.short_code,
        sms_number=display_phone(territory.sms_number),
        phone=display_phone(territory.contact_phone),
        active=code.is_active,
    )


def display_phone(number) -> str:
    """A phone number as people of the territory write it: "06 44 63 01 01".

    Numbers from another country keep their international prefix ("+32 470 12 34 56").
    """
    if not number:
        return ""
    region = phonenumbers.region_code_for_number(number)
    number_format = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == settings.PHONENUMBER_DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, number_format)


def print_etag(content: PrintContent, *, kind: str) -> str:
    """A strong validator of one print (unquoted): changes whenever anything drawn changes.

    Built from the printed values, the language of the printed sentences and the layout
    version, never from timestamps: an unrelated edit of the capteur does not bust caches.
    """
    payload = json.dumps(
        [kind, LAYOUT_VERSION, get_language(), asdict(content)], sort_keys=True
    ).encode()
    return hashlib.sha256(payload).hexdigest()[:32]
