"""A referred person's footprint in Relais, made through the real services: what the privacy
API must find, export and erase, and what it must leave alone."""

from dataclasses import dataclass

import factory

from backend.notifications.models import Notification
from backend.privacy.models import PrivacyRequest
from backend.referrals.enums import AttemptKind, AttemptOutcome, CallMoment
from backend.referrals.models import Orientation, Referral
from backend.referrals.services import triage
from backend.referrals.services.intake import Submission, referral_submit
from tests.accounts.factories import MembershipFactory, TerritoryFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.notifications.factories import NotificationFactory
from tests.structures.factories import StructureFactory

PERSON_PHONE = "+33781234567"
PERSON_EMAIL = "zephyrine@example.org"
OTHER_PHONE = "+33781234599"
# Another person's first name: no generated staff name may contain it (Faker's French first
# names include "Alexandre" and "Alexis": "Alex" made the export test fail at random).
OTHER_FIRST_NAME = "Zorglubine"
NOTE = "Je cherche du travail près d'Orthez."
STAFF_NOTE = "Rappeler après 18 h, elle travaille le matin."


class PrivacyRequestFactory(factory.django.DjangoModelFactory):
    """A search recorded by a member of the territory."""

    class Meta:
        model = PrivacyRequest

    kind = PrivacyRequest.Kind.SEARCH
    territory = factory.SubFactory(TerritoryFactory)
    requested_by = factory.LazyAttribute(
        lambda request: MembershipFactory(territory=request.territory).user
    )


@dataclass
class Footprint:
    """The person's two referrals (one with an orientation and a staff note), the reply to an
    SMS with an unknown code they got, and what belongs to others."""

    first: Referral
    second: Referral
    orientation: Orientation
    reply: Notification
    someone_else: Referral
    elsewhere: Referral

    @property
    def referrals(self):
        return [self.first, self.second]


def submit(code, *, first_name="Zéphyrine", phone=PERSON_PHONE, email="", note=NOTE):
    return referral_submit(
        code=code,
        submission=Submission(
            first_name=first_name,
            phone=phone,
            email=email,
            note=note,
            needs=["emploi", "mobilite"],
            call_moments=[CallMoment.EVENING],
            consent=True,
        ),
    ).referral


def footprint(territory, other_territory, facilitator) -> Footprint:
    code = ReferralCodeFactory(
        capteur=CapteurFactory(territory=territory, partner=True, name="Bar-tabac du Centre")
    )
    first = submit(code, email=PERSON_EMAIL)
    triage.referral_log_attempt(
        referral=first, kind=AttemptKind.CALL, outcome=AttemptOutcome.REACHED, actor=facilitator
    )
    triage.referral_add_note(referral=first, text=STAFF_NOTE, actor=facilitator)
    orientation = triage.referral_orient(
        referral=first,
        structure_id=StructureFactory(territory=territory, name="Mission locale d'Orthez").id,
        actor=facilitator,
    )
    second = submit(code, first_name="Zéph", note="")
    reply = NotificationFactory(reply=True, territory=territory, recipient=PERSON_PHONE)
    someone_else = submit(code, first_name=OTHER_FIRST_NAME, phone=OTHER_PHONE, note="")
    elsewhere = submit(
        ReferralCodeFactory(capteur=CapteurFactory(territory=other_territory, partner=True))
    )
    return Footprint(first, second, orientation, reply, someone_else, elsewhere)
