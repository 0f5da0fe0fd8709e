"""Messages about referrals to staff. No personal data of the referred person: pseudonyms only.

(The SMS outbox and its Celery delivery arrive with the notifications app; until then the
coordinator's alert goes by email through Django's mail backend.)
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from backend.accounts.enums import Role
from backend.accounts.models import User
from backend.referrals.models import Referral

logger = logging.getLogger(__name__)


def alert_coordinators_unassigned(*, referral_id):
    """Tells the territory's coordinators that a referral found no available facilitator."""
    referral = Referral.objects.select_related("territory", "capteur").get(pk=referral_id)
    recipients = list(
        User.objects.filter(
            is_active=True,
            memberships__territory=referral.territory,
            memberships__role=Role.COORDINATOR,
        ).values_list("email", flat=True)
    )
    logger.warning(
        "referral %s has no facilitator; alerting %d coordinator(s)", referral.pk, len(recipients)
    )
    if not recipients:
        return
    send_mail(
        subject=_("Orientation %(ref)s sans facilitateur") % {"ref": referral.pseudonym},
        message=_(
            "Une nouvelle orientation (%(ref)s, capteur : %(capteur)s) n'a trouvé aucun "
            "facilitateur disponible sur le territoire %(territory)s.\n"
            "Attribuez-la depuis Relais : %(url)s"
        )
        % {
            "ref": referral.pseudonym,
            "capteur": referral.capteur.name if referral.capteur else "-",
            "territory": referral.territory.name,
            "url": f"{settings.PUBLIC_BASE_URL}/api/v1/referrals/{referral.pk}/",
        },
        from_email=None,
        recipient_list=recipients,
    )
