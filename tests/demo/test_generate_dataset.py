"""The benchmark dataset generator (`manage.py generate_dataset`), at a tiny size.

It writes with PostgreSQL's COPY: these tests run on PostgreSQL only (marked `postgres`),
except the one that checks it refuses SQLite.
"""

import datetime
import io
from collections import Counter

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.test import override_settings
from django.utils import timezone

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.capteurs.enums import Stage
from backend.capteurs.models import Capteur, CodeScanDay, ReferralCode
from backend.capteurs.selectors import capteur_queryset
from backend.demo.dataset.generate import Sizes, generate_dataset
from backend.notifications.models import Notification
from backend.referrals.enums import EventKind, Status
from backend.referrals.models import ContactAttempt, Orientation, Referral, ReferralEvent
from backend.visits.enums import VisitStatus
from backend.visits.models import Visit, VisitEvent
from tests.accounts.factories import TerritoryFactory
from tests.capteurs.factories import CapteurFactory
from tests.referrals.factories import ReferralFactory

# Small, yet large enough that every status and activity shows up whatever the day.
# The generator hashes one password: the fast hasher the other tests use.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SIZES = ("--territories", "2", "--capteurs", "40", "--referrals", "1000", "--seed", "7")

on_sqlite = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="checks the refusal on SQLite"
)


def generate(*args):
    out = io.StringIO()
    call_command("generate_dataset", *args, stdout=out)
    return out.getvalue()


def flushable():
    """In a test, everything happens in one transaction: foreign keys (deferred) of the rows
    written so far are checked now, or PostgreSQL refuses to TRUNCATE (flush) the tables."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """Generates once for the module, in a transaction rolled back at the end (each test runs
    in a savepoint inside it). Returns the command's output."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield generate(*SIZES, "--password", "bench-test-password")
        transaction.set_rollback(True)


@on_sqlite
def test_refuses_to_run_on_sqlite():
    with pytest.raises(CommandError, match="PostgreSQL"):
        generate(*SIZES)


@pytest.mark.postgres
@pytest.mark.django_db
def test_generates_the_sizes_asked_for_and_says_how_long_each_table_took(generated):
    assert Territory.objects.count() == 2
    assert Capteur.objects.count() == 40
    assert Referral.objects.count() == 1000
    for label in ("capteurs", "referrals", "referral events", "visits", "code scan days"):
        assert f"  {label} " in generated
    assert generated.rstrip().endswith("s.")
    # Every table the dashboards and lists read has rows.
    for model in (ReferralCode, ReferralEvent, ContactAttempt, Orientation, Notification):
        assert model.objects.exists(), model
    for model in (CodeScanDay, Visit, VisitEvent, Membership):
        assert model.objects.exists(), model


@pytest.mark.postgres
@pytest.mark.django_db
def test_staff_are_facilitators_and_coordinators_who_can_log_in(generated):
    roles = Counter(Membership.objects.values_list("role", flat=True))
    assert roles[Role.FACILITATOR] >= 4  # two a territory at least
    assert roles[Role.COORDINATOR] == 4  # one a territory, and one for the whole network
    network = User.objects.annotate(n=Count("memberships")).get(n=2)
    assert network.check_password("bench-test-password")
    for user in User.objects.all():
        assert phonenumbers.is_valid_number(phonenumbers.parse(str(user.phone)))


@pytest.mark.postgres
@pytest.mark.django_db
def test_referrals_keep_the_lifecycle_rules(generated):
    referrals = Referral.objects.all()
    statuses = Counter(referrals.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > statuses[Status.NEW] > 0  # a funnel, mostly closed
    assert not referrals.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert not referrals.exclude(status=Status.CLOSED).exclude(closing_reason="").exists()
    assert not referrals.exclude(status=Status.CLOSED).filter(closed_at__isnull=False).exists()
    assert not referrals.filter(phone="", email="", anonymised_at__isnull=True).exists()
    later = [Status.CONTACTED, Status.MET, Status.ORIENTED]
    assert not referrals.filter(status__in=later, first_contacted_at__isnull=True).exists()
    assert not referrals.filter(first_contacted_at__lt=F("created_at")).exists()
    assert not referrals.filter(closed_at__lt=F("created_at")).exists()
    assert not referrals.filter(first_contact_due_on__lte=F("created_at__date")).exists()
    # The capteur, its code and the territory agree; the assignee works there.
    assert not referrals.exclude(code__capteur=F("capteur")).exists()
    assert not referrals.exclude(territory=F("capteur__territory")).exists()
    facilitators = Membership.objects.filter(role=Role.FACILITATOR)
    for user_id, territory_id in (
        referrals.exclude(assigned_to=None).values_list("assigned_to", "territory").distinct()
    ):
        assert facilitators.filter(user_id=user_id, territory_id=territory_id).exists()
    for phone in referrals.exclude(phone="").values_list("phone", flat=True):
        number = phonenumbers.parse(str(phone))
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_referral_has_its_timeline(generated):
    kinds = {
        referral_id: set(kinds)
        for referral_id, kinds in _events_by_referral(ReferralEvent.objects.all()).items()
    }
    assert len(kinds) == Referral.objects.count()
    for referral in Referral.objects.all():
        assert EventKind.CREATED in kinds[referral.pk]
        assert {EventKind.ASSIGNED, EventKind.UNASSIGNED} & kinds[referral.pk]
    # The last status move leads to the referral's status.
    moves = ReferralEvent.objects.filter(kind=EventKind.STATUS_CHANGED).order_by("at", "id")
    last = {event.referral_id: event.payload["to"] for event in moves}
    for referral in Referral.objects.exclude(status=Status.NEW):
        assert last[referral.pk] == referral.status
    assert not Referral.objects.filter(status=Status.NEW, pk__in=last).exists()
    oriented = ReferralEvent.objects.filter(kind=EventKind.ORIENTED)
    assert set(oriented.values_list("payload__orientation", flat=True)) == set(
        Orientation.objects.values_list("pk", flat=True)
    )


def _events_by_referral(events):
    grouped: dict[int, list[str]] = {}
    for referral_id, kind in events.values_list("referral_id", "kind"):
        grouped.setdefault(referral_id, []).append(kind)
    return grouped


@pytest.mark.postgres
@pytest.mark.django_db
def test_capteurs_are_consistent_with_their_referrals_visits_and_scans(generated):
    capteurs = Capteur.objects.annotate(
        latest=Max("referrals__created_at"), earliest=Min("referrals__created_at")
    )
    for capteur in capteurs:
        assert capteur.last_referral_at == capteur.latest
        if capteur.earliest is not None:
            assert capteur.signed_on is not None
            assert capteur.signed_on <= timezone.localdate(capteur.earliest)
        assert 42.5 < capteur.latitude < 43.8 and -1.2 < capteur.longitude < 0.2  # Béarn
        done = capteur.visits.filter(status=VisitStatus.DONE).aggregate(last=Max("done_on"))
        assert capteur.last_visit_on == done["last"]
    assert not Capteur.objects.filter(stage=Stage.PROSPECT, referrals__isnull=False).exists()
    assert not Visit.objects.filter(status=VisitStatus.DONE, done_on=None).exists()
    assert Visit.objects.filter(status=VisitStatus.PLANNED).exists()
    for code in ReferralCode.objects.annotate(total=Sum("scan_days__count")):
        assert code.scan_count == (code.total or 0)
    assert not ReferralCode.objects.filter(
        capteur__stage=Stage.WITHDRAWN, revoked_at__isnull=True
    ).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_sequences_continue_after_the_generated_ids(generated):
    # Created through the ORM after the COPY: the next ids.
    territory = TerritoryFactory(name="Soule", slug="soule")
    referral = ReferralFactory(capteur=CapteurFactory(territory=territory))
    assert territory.pk == 3
    assert referral.pk == 1001


@pytest.mark.postgres
@pytest.mark.django_db
def test_activity_has_dormant_partners_to_visit(generated):
    facilitator = User.objects.filter(memberships__role=Role.FACILITATOR).first()
    activities = Counter(capteur_queryset(user=facilitator).values_list("activity", flat=True))
    assert activities["dormant"] > 0


@pytest.mark.postgres
@pytest.mark.django_db
def test_refuses_a_database_that_holds_data_unless_told_to_add_or_flush(generated):
    with pytest.raises(CommandError, match="--flush"):
        generate(*SIZES)

    generate(*SIZES, "--force")
    assert Referral.objects.count() == 2000
    assert Territory.objects.filter(name__endswith=" r3").count() == 2  # names kept unique

    flushable()
    generate("--territories", "1", "--capteurs", "5", "--referrals", "10", "--flush")
    assert (Territory.objects.count(), Referral.objects.count()) == (1, 10)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_same_seed_gives_the_same_dataset(generated):
    now = datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC)

    def snapshot():
        flushable()
        call_command("flush", interactive=False, verbosity=0)
        generate_dataset(sizes=Sizes(2, 20, 200, 2), seed=11, now=now, log=lambda _line: None)
        return list(
            Referral.objects.order_by("pk").values_list(
                "pk", "created_at", "status", "phone", "capteur__name", "assigned_to__email"
            )
        ) + list(ReferralCode.objects.order_by("pk").values_list("token", "short_code"))

    assert snapshot() == snapshot()


@pytest.mark.postgres
@pytest.mark.django_db
def test_overdue_and_unreachable_referrals_exist_for_the_inbox(generated):
    today = timezone.localdate()
    assert Referral.objects.filter(Q(status=Status.NEW, first_contact_due_on__lt=today)).exists()
    assert Referral.objects.filter(unanswered_attempts__gte=3).exists()
