import datetime
import time

import factory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

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


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app (TOTP, django-otp's defaults: 6 digits every 30 s)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Application d'authentification"
    confirmed = True


def totp_code(device: TOTPDevice) -> str:
    """The code `device`'s app shows now, computed as the app does (RFC 6238); the next one
    when the current one was already used (a code works once)."""
    device.refresh_from_db()
    step = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step.time = time.time()
    counter = max(step.t(), device.last_t + 1)
    return f"{hotp(device.bin_key, counter, digits=device.digits):0{device.digits}d}"


def log_in_verified(client, user, device: TOTPDevice | None = None) -> TOTPDevice:
    """Logs `client` (Django's or DRF's test client) in as `user` with a session that passed
    the second factor, enrolling an authenticator app for `user` if needed."""
    device = device or (
        TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDeviceFactory(user=user)
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
