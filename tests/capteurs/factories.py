import datetime

import factory
from django.utils import timezone

from backend.capteurs.enums import CapteurKind, ScanSource, Stage
from backend.capteurs.models import Capteur, CodeScanDay, ReferralCode
from backend.capteurs.services import referral_code_issue
from tests.accounts.factories import TerritoryFactory


class CapteurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capteur

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Bar-tabac du Centre {n}")
    kind = CapteurKind.BAR_TABAC
    address = "12 place de l'Hôtel de Ville"
    postal_code = "64300"
    city = "Orthez"
    latitude = "43.488000"
    longitude = "-0.771000"
    contact_name = factory.Faker("name", locale="fr_FR")
    phone = "+33559691234"
    stage = Stage.PROSPECT
    first_contact_on = factory.LazyFunction(timezone.localdate)

    class Params:
        partner = factory.Trait(
            stage=Stage.PARTNER,
            signed_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=200)
            ),
        )
        # A partner signed last week that has not sent anyone yet.
        newly_signed = factory.Trait(
            stage=Stage.PARTNER,
            signed_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=7)
            ),
        )
        # A partner whose last referral is two weeks old.
        sending = factory.Trait(
            stage=Stage.PARTNER,
            signed_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=200)
            ),
            last_referral_at=factory.LazyFunction(
                lambda: timezone.now() - datetime.timedelta(days=14)
            ),
        )
        paused = factory.Trait(stage=Stage.PAUSED)
        withdrawn = factory.Trait(stage=Stage.WITHDRAWN)


class ReferralCodeFactory(factory.django.DjangoModelFactory):
    """Issued through the real service, so tokens and short codes are the real ones."""

    class Meta:
        model = ReferralCode

    capteur = factory.SubFactory(CapteurFactory, partner=True)
    label = ""

    class Params:
        revoked = factory.Trait(revoked_at=factory.LazyFunction(timezone.now))

    @classmethod
    def _create(cls, model_class, capteur, label="", revoked_at=None, **kwargs):
        code = referral_code_issue(capteur=capteur, actor=None, label=label)
        if revoked_at is not None:
            code.revoked_at = revoked_at
            code.save(update_fields=["revoked_at"])
        return code


class CodeScanDayFactory(factory.django.DjangoModelFactory):
    """A day's count of visits of a code's landing page."""

    class Meta:
        model = CodeScanDay

    code = factory.SubFactory(ReferralCodeFactory)
    day = factory.LazyFunction(timezone.localdate)
    source = ScanSource.QR
    count = 1
