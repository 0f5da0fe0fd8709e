"""What referrals say, in French: short, GSM-7 friendly (see backend.notifications.gsm7), one
SMS for the usual case.

Never the person's note; to staff, no name or number of the person either: a reference.
"""

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from backend.notifications.gsm7 import shorten, to_gsm7
from backend.structures.enums import Need

CAPTEUR_NAME_MAX = 40
FIRST_NAME_MAX = 20


def _needs(needs) -> str:
    labels = {value: str(label) for value, label in Need.choices}
    return ", ".join(labels.get(n, n).lower() for n in needs) or _("non précisés")


def _day(date) -> str:
    return formats.date_format(date, "l j F")


def referral_app_url(referral) -> str:
    """The referral in the facilitators' app (the PWA's route /app/orientations/<id>)."""
    return f"{settings.PUBLIC_BASE_URL}/app/orientations/{referral.pk}"


def facilitator_new_referral(referral) -> str:
    """The facilitator's alert (SMS, and the e-mail's body), with the link that opens the
    referral in the app: two SMS at most."""
    with override("fr"):
        capteur = (
            shorten(referral.capteur.name, CAPTEUR_NAME_MAX)
            if referral.capteur
            else _("saisie directe")
        )
        return to_gsm7(
            _(
                "Relais: nouvelle orientation %(ref)s de %(capteur)s. Besoins: %(needs)s. "
                "Premier appel avant le %(due)s. %(url)s"
            )
            % {
                "url": referral_app_url(referral),
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
            shorten(referral.assigned_to.first_name, FIRST_NAME_MAX)
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


def intake_acknowledgment(referral) -> str:
    """What the person reads after submitting through the API: who will call, and by when."""
    due = _day(referral.first_contact_due_on)
    facilitator = referral.assigned_to.first_name if referral.assigned_to else None
    if facilitator:
        return _("Merci. %(name)s vous appellera avant le %(due)s.") % {
            "name": facilitator,
            "due": due,
        }
    return _("Merci. Une personne de l'équipe vous appellera avant le %(due)s.") % {"due": due}


def _month(month) -> str:
    return formats.date_format(month, "F")


def capteur_summary(capteur, *, month, sent, reached, oriented) -> str:
    """The monthly SMS to a capteur that sent people: counts only, and a thank-you."""
    with override("fr"):
        people = ngettext(
            "%(count)d personne est venue de votre part",
            "%(count)d personnes sont venues de votre part",
            sent,
        ) % {"count": sent}
        return to_gsm7(
            _(
                "Relais %(network)s: en %(month)s, %(people)s. L'équipe en a joint %(reached)d "
                "et orienté %(oriented)d vers une aide. Merci !"
            )
            % {
                "network": shorten(capteur.territory.name, CAPTEUR_NAME_MAX),
                "month": _month(month),
                "people": people,
                "reached": reached,
                "oriented": oriented,
            }
        )


def capteur_reminder(capteur, *, short_code) -> str:
    """The gentle reminder to a dormant capteur: the relay is still there, how to use it."""
    with override("fr"):
        text = _(
            "Relais %(network)s: merci d'être capteur. Si quelqu'un vous confie une difficulté, "
            "proposez-lui de scanner l'affiche"
        ) % {"network": shorten(capteur.territory.name, CAPTEUR_NAME_MAX)}
        sms_number = capteur.territory.sms_number
        if short_code and sms_number:
            text += _(" ou d'envoyer %(code)s au %(number)s") % {
                "code": short_code,
                "number": sms_number.as_national.replace(" ", ""),
            }
        text += "."
        if capteur.territory.contact_phone:
            text += " " + _("Besoin d'affiches ? %(phone)s") % {
                "phone": capteur.territory.contact_phone.as_national.replace(" ", "")
            }
        return to_gsm7(text)


def capteur_summary_subject(capteur, *, month, reminder: bool) -> str:
    with override("fr"):
        if reminder:
            return _("Relais %(network)s : un petit rappel") % {"network": capteur.territory.name}
        return _("Relais %(network)s : votre récapitulatif de %(month)s") % {
            "network": capteur.territory.name,
            "month": _month(month),
        }
