import datetime

import factory
from django.utils import timezone

from backend.visits.enums import VisitKind, VisitStatus
from backend.visits.models import Visit
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory


class VisitFactory(factory.django.DjangoModelFactory):
    """A planned follow-up visit (rows only: events and last_visit_on are the services')."""

    class Meta:
        model = Visit

    capteur = factory.SubFactory(CapteurFactory, partner=True)
    territory = factory.SelfAttribute("capteur.territory")
    facilitator = factory.LazyAttribute(
        lambda visit: MembershipFactory(territory=visit.capteur.territory, facilitator=True).user
    )
    kind = VisitKind.FOLLOW_UP
    status = VisitStatus.PLANNED
    planned_on = factory.LazyFunction(timezone.localdate)

    class Params:
        # Done the day it was planned, with what came of it.
        done = factory.Trait(
            status=VisitStatus.DONE,
            planned_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=10)
            ),
            done_on=factory.SelfAttribute("planned_on"),
            outcome="Affiche en place, le gérant en parle aux habitués.",
            next_step="Rapporter des cartes.",
        )
        cancelled = factory.Trait(status=VisitStatus.CANCELLED)
        # Planned by the daily job.
        auto = factory.Trait(auto_planned=True)
