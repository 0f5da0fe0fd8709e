import datetime

import factory
from django.utils import timezone

from backend.referrals.enums import Channel, ClosingReason, FilledBy, Status
from backend.referrals.models import Referral
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION
from tests.capteurs.factories import CapteurFactory


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral as intake leaves it (rows only: routing is tested through the service)."""

    class Meta:
        model = Referral

    capteur = factory.SubFactory(CapteurFactory, partner=True)
    territory = factory.SelfAttribute("capteur.territory")
    first_name = factory.Faker("first_name", locale="fr_FR")
    # 06 98 …: apart from the numbers tests write by hand (06 12 …).
    phone = factory.Sequence(lambda n: f"+33698{n % 1000000:06d}")
    needs = factory.LazyFunction(lambda: ["emploi"])
    consent_at = factory.LazyFunction(timezone.now)
    consent_version = PRIVACY_NOTICE_VERSION
    filled_by = FilledBy.PERSON
    channel = Channel.QR
    status = Status.NEW
    first_contact_due_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=2)
    )

    class Params:
        overdue = factory.Trait(
            first_contact_due_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=1)
            )
        )
        contacted = factory.Trait(
            status=Status.CONTACTED, first_contacted_at=factory.LazyFunction(timezone.now)
        )
        met = factory.Trait(status=Status.MET)
        oriented = factory.Trait(status=Status.ORIENTED)
        closed = factory.Trait(
            status=Status.CLOSED,
            closing_reason=ClosingReason.ACCOMPANIED,
            closed_at=factory.LazyFunction(timezone.now),
        )
