"""Every message Relais sends, in one place. French, short, GSM-7 friendly (no curly quotes or
dashes: a single non-GSM character makes an SMS cost up to three times more). SMS bodies go
through `to_gsm7`, so that names typed by people ("Anaïs", "Café de l'Hôtel") and dates
("15 août") never switch a message to UCS-2.

Never the person's note; to staff, no name or number of the person either: a reference.
"""

import unicodedata

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override

from backend.referrals.enums import Need

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: GSM-7 too, but each costs two septets.
GSM7_EXTENSION = set("^{}\\[~]|€\f")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

# Common characters outside GSM-7 with a plain equivalent (accents are dropped generically).
_GSM7_REPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "œ": "oe",
    "Œ": "OE",
}

CAPTEUR_NAME_MAX = 40
FIRST_NAME_MAX = 20


def is_gsm7(text: str) -> bool:
    return set(text) <= GSM7


def to_gsm7(text: str) -> str:
    """`text` with every character outside GSM-7 replaced by its plain form ("ô" → "o")."""
    out = []
    for char in text:
        if char in GSM7:
            out.append(char)
        elif char in _GSM7_REPLACEMENTS:
            out.append(_GSM7_REPLACEMENTS[char])
        else:
            plain = "".join(c for c in unicodedata.normalize("NFKD", char) if c in GSM7)
            out.append(plain or "?")
    return "".join(out)


def sms_segments(text: str) -> int:
    """How many SMS `text` is billed as (GSM-7: 160, then 153 per part; else 70, then 67)."""
    if is_gsm7(text):
        length = len(text) + sum(1 for c in text if c in GSM7_EXTENSION)
        single, part = 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if length <= single else -(-length // part)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _needs(needs) -> str:
    labels = {value: str(label) for value, label in Need.choices}
    return ", ".join(labels.get(n, n).lower() for n in needs) or _("non précisés")


def _day(date) -> str:
    return formats.date_format(date, "l j F")


def facilitator_new_referral(referral) -> str:
    with override("fr"):
        capteur = (
            _short(referral.capteur.name, CAPTEUR_NAME_MAX)
            if referral.capteur
            else _("saisie directe")
        )
        return to_gsm7(
            _(
                "Relais: nouvelle orientation %(ref)s de %(capteur)s. Besoins: %(needs)s. "
                "Premier appel avant le %(due)s."
            )
            % {
                "ref": referral.pseudonym,
                "capteur": capteur,
                "needs": _needs(referral.needs),
                "due": _day(referral.first_contact_due_on),
            }
        )


def facilitator_new_referral_subject(referral) -> str:
    with override("fr"):
        return _("Nouvelle orientation %(ref)s") % {"ref": referral.pseudonym}


def person_acknowledgment(referral) -> str:
    with override("fr"):
        caller = (
            _short(referral.assigned_to.first_name, FIRST_NAME_MAX)
            if referral.assigned_to and referral.assigned_to.first_name
            else _("Une personne de l'équipe")
        )
        text = _(
            "Bonjour, c'est Relais. Votre demande est bien arrivée. %(caller)s vous "
            "appellera au plus tard le %(due)s."
        ) % {"caller": caller, "due": _day(referral.first_contact_due_on)}
        # The acknowledgment comes from a one-way alphanumeric sender: the opt-out goes to the
        # territory's two-way number, when it has one.
        sms_number = referral.territory.sms_number
        if sms_number:
            text += " " + _("STOP au %(number)s pour ne plus recevoir de SMS.") % {
                "number": sms_number.as_national.replace(" ", "")
            }
        return to_gsm7(text)


def coordinator_unassigned(referral) -> tuple[str, str]:
    with override("fr"):
        subject = _("Orientation %(ref)s sans facilitateur") % {"ref": referral.pseudonym}
        body = _(
            "Une nouvelle orientation (%(ref)s, capteur : %(capteur)s) n'a trouvé aucun "
            "facilitateur disponible sur le territoire %(territory)s.\n"
            "Attribuez-la depuis Relais."
        ) % {
            "ref": referral.pseudonym,
            "capteur": referral.capteur.name if referral.capteur else "-",
            "territory": referral.territory.name,
        }
        return subject, body


def coordinator_digest(territory, *, overdue, unassigned) -> tuple[str, str]:
    """`overdue` and `unassigned`: lists of referrals (pseudonyms only are written)."""
    with override("fr"):
        subject = _(
            "Relais %(territory)s : %(overdue)d en retard, %(unassigned)d sans facilitateur"
        ) % {
            "territory": territory.name,
            "overdue": len(overdue),
            "unassigned": len(unassigned),
        }
        lines = [_("Orientations sans premier contact après la date prévue :")]
        lines += [
            f"- {r.pseudonym} ({_('prévu le')} {_day(r.first_contact_due_on)}, "
            f"{r.assigned_to.get_full_name() if r.assigned_to else _('personne')})"
            for r in overdue
        ] or [_("aucune")]
        lines += ["", _("Orientations sans facilitateur :")]
        lines += [f"- {r.pseudonym}" for r in unassigned] or [_("aucune")]
        return subject, "\n".join(lines)


def capteur_space_link(capteur) -> str:
    with override("fr"):
        return to_gsm7(
            _(
                "Relais: voici le lien de votre espace capteur (affiches, orienter quelqu'un): "
                "%(url)s Ne le partagez pas."
            )
            % {"url": capteur.space_url}
        )


def inbound_reply_unknown_code(territory) -> str:
    with override("fr"):
        if territory is not None and territory.contact_phone:
            return to_gsm7(
                _(
                    "Relais: nous n'avons pas reconnu ce code. Appelez-nous au %(phone)s, "
                    "nous vous aiderons."
                )
                % {"phone": territory.contact_phone.as_national}
            )
        return to_gsm7(
            _(
                "Relais: nous n'avons pas reconnu ce code. Vérifiez le code sur l'affiche et "
                "renvoyez-le."
            )
        )


def public_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"
