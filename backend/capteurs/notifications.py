"""What capteurs are sent, through the outbox (backend.notifications): today, the link of
their capteur space by SMS, handed over by a facilitator."""

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


def capteur_space_link_notify(capteur: Capteur) -> Notification:
    """The capteur's space link by SMS to its phone (failed at once, with the reason, when
    the number cannot get SMS). Call inside the caller's transaction."""
    return notification_create(
        channel=Channel.SMS,
        template=CapteurTemplate.CAPTEUR_SPACE_LINK,
        recipient=str(capteur.phone),
        body=capteur_space_link_message(capteur),
        territory=capteur.territory,
    )
