import datetime

import factory
from django.utils import timezone

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User

DEFAULT_PASSWORD = "relais-test-password"


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Territoire {n}")
    slug = factory.Sequence(lambda n: f"territoire-{n}")
    contact_phone = "+33559601234"
    sms_number = "+33644630101"
    contact_email = "contact@example.org"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    # Staff get their alerts by SMS: a mobile in a real French range (06 12 …).
    phone = factory.Sequence(lambda n: f"+33612{n % 1000000:06d}")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    territory = factory.SubFactory(TerritoryFactory)
    role = Role.FACILITATOR

    class Params:
        facilitator = factory.Trait(role=Role.FACILITATOR)
        coordinator = factory.Trait(role=Role.COORDINATOR)
        # Away until next week.
        unavailable = factory.Trait(
            unavailable_until=factory.LazyFunction(
                lambda: timezone.localdate() + datetime.timedelta(days=7)
            )
        )
