from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A staff member's role in one territory.

    facilitateur (de parcours): prospects capteurs and receives the people they send.
    coordinator: steers the territory's network and reports to funders.
    """

    FACILITATOR = "facilitator", _("Facilitateur de parcours")
    COORDINATOR = "coordinator", _("Coordinateur")
