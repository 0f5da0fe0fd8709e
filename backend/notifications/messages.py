"""Every message Relais sends, in one place. French, short, GSM-7 friendly (no curly quotes or
dashes: a single non-GSM character makes an SMS cost up to three times more).

Never the person's note; to staff, no name or number of the person either: a reference.
"""

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override

from backend.referrals.enums import Need

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ ÆæßÉ!\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def is_gsm7(text: str) -> bool:
    return set(text) <= GSM7


def _needs(needs) -> str:
    labels = {value: str(label) for value, label in Need.choices}
    return ", ".join(labels.get(n, n).lower() for n in needs) or _("non précisés")


def _day(date) -> str:
    return formats.date_format(date, "l j F")


def facilitator_new_referral(referral) -> str:
    with override("fr"):
        return _(
            "Relais: nouvelle orientation %(ref)s de %(capteur)s. Besoins: %(needs)s. "
            "Premier appel avant le %(due)s."
        ) % {
            "ref": referral.pseudonym,
            "capteur": referral.capteur.name if referral.capteur else _("saisie directe"),
            "needs": _needs(referral.needs),
            "due": _day(referral.first_contact_due_on),
        }


def person_acknowledgment(referral) -> str:
    with override("fr"):
        caller = (
            referral.assigned_to.first_name
            if referral.assigned_to and referral.assigned_to.first_name
            else _("Une personne de l'équipe")
        )
        return _(
            "Bonjour, c'est Relais. Votre demande est bien arrivée. %(caller)s vous "
            "appellera au plus tard le %(due)s. STOP pour ne plus recevoir de SMS."
        ) % {"caller": caller, "due": _day(referral.first_contact_due_on)}


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
        return _(
            "Relais: voici le lien de votre espace capteur (affiches, orienter quelqu'un): "
            "%(url)s Ne le partagez pas."
        ) % {"url": capteur.space_url}


def inbound_reply_referral(referral) -> str:
    with override("fr"):
        return person_acknowledgment(referral)


def inbound_reply_unknown_code(territory) -> str:
    with override("fr"):
        if territory is not None and territory.contact_phone:
            return _(
                "Relais: nous n'avons pas reconnu ce code. Appelez-nous au %(phone)s, "
                "nous vous aiderons."
            ) % {"phone": territory.contact_phone.as_national}
        return _(
            "Relais: nous n'avons pas reconnu ce code. Vérifiez le code sur l'affiche et "
            "renvoyez-le."
        )


def inbound_reply_opted_out() -> str:
    with override("fr"):
        return _("Relais: vous ne recevrez plus de SMS de notre part. START pour les réactiver.")


def public_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"
