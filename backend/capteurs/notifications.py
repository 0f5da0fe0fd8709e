"""What capteurs are sent, through the outbox (backend.notifications): today, the link of
their capteur space, by SMS or e-mail, handed over by a facilitator."""

from django.utils.translation import gettext as _
from django.utils.translation import override

from backend.capteurs.enums import CapteurTemplate
from backend.capteurs.models import Capteur
from backend.notifications.enums import Channel
from backend.notifications.gsm7 import to_gsm7
from backend.notifications.models import Notification
from backend.notifications.services import notification_create


def capteur_space_link_message(capteur: Capteur) -> str:
    with override("fr"):
        return to_gsm7(
            _(
                "Relais: voici le lien de votre espace capteur (affiches, orienter quelqu'un): "
                "%(url)s Ne le partagez pas."
            )
            % {"url": capteur.space_url}
        )


def capteur_space_link_email(capteur: Capteur) -> tuple[str, str]:
    """The e-mail's subject and body: the link and what the space is for."""
    with override("fr"):
        subject = _("Votre espace capteur %(network)s") % {"network": capteur.territory.name}
        body = _(
            "Bonjour,\n\n"
            "Voici le lien de votre espace capteur pour %(name)s :\n%(url)s\n\n"
            "Dans votre espace : imprimer une affiche ou des autocollants, orienter une "
            "personne qui est avec vous, et voir combien de personnes vous avez envoyées "
            "(jamais de nom ni de numéro).\n\n"
            "Ce lien est à vous : ne le partagez pas. Perdu ou partagé ? Votre facilitateur "
            "vous en donne un nouveau.\n\n%(network)s"
        ) % {"name": capteur.name, "url": capteur.space_url, "network": capteur.territory.name}
    return subject, body


def capteur_space_link_notify(
    capteur: Capteur, *, channel: str = Channel.SMS, recipient: str = ""
) -> Notification:
    """The capteur's space link by SMS (to `recipient`, by default its phone; failed at once,
    with the reason, when the number cannot get SMS) or by e-mail (to `recipient`, by default
    its e-mail). Call inside the caller's transaction."""
    if channel == Channel.EMAIL:
        subject, body = capteur_space_link_email(capteur)
        return notification_create(
            channel=Channel.EMAIL,
            template=CapteurTemplate.CAPTEUR_SPACE_LINK,
            recipient=recipient or capteur.email,
            subject=subject,
            body=body,
            territory=capteur.territory,
        )
    return notification_create(
        channel=Channel.SMS,
        template=CapteurTemplate.CAPTEUR_SPACE_LINK,
        recipient=recipient or str(capteur.phone),
        body=capteur_space_link_message(capteur),
        territory=capteur.territory,
    )
