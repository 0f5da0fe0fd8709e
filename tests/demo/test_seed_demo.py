import io
from collections import Counter

import phonenumbers
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.capteurs.enums import CapteurKind, Stage, SummaryChannel
from backend.capteurs.models import Capteur, CodeScanDay, ReferralCode, StageChange
from backend.capteurs.selectors import capteur_queryset
from backend.demo.data import DEMO_USERS
from backend.demo.seed import DEMO_PASSWORD
from backend.referrals.models import CapteurSummary, Referral
from backend.visits import routing
from backend.visits.models import Visit

# The seed hashes five passwords: PBKDF2 would dominate the test time.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seeds once for the whole module (a seed takes ~0.5 s), in a transaction rolled back at
    the end. Each test runs in a savepoint inside it, so what a test changes is undone too.
    Returns the output of the first run."""
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield seed()
        transaction.set_rollback(True)


def snapshot():
    return {
        "territories": Territory.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "capteurs": sorted(Capteur.objects.values_list("name", "stage", "signed_on", "phone")),
        "stage_changes": StageChange.objects.count(),
        "codes": sorted(ReferralCode.objects.values_list("token", "short_code", "revoked_at")),
        "visits": sorted(Visit.objects.values_list("capteur__name", "status", "planned_on")),
    }


def forget(capteurs):
    """Deletes `capteurs` with what protects them (their referrals and visits)."""
    Referral.objects.filter(capteur__in=capteurs).delete()
    Visit.objects.filter(capteur__in=capteurs).delete()
    capteurs.delete()


@pytest.mark.django_db
def test_seeds_ouest_bearn_with_about_forty_capteurs_of_every_kind(seeded):
    territory = Territory.objects.get(slug="ouest-bearn")
    assert territory.name == "Ouest Béarn"
    for number in (territory.contact_phone, territory.sms_number):
        assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(territory.sms_number) == phonenumbers.PhoneNumberType.MOBILE
    capteurs = Capteur.objects.filter(territory=territory)
    assert 35 <= capteurs.count() <= 45
    assert set(capteurs.values_list("kind", flat=True)) == set(CapteurKind.values)
    stages = Counter(capteurs.values_list("stage", flat=True))
    assert stages[Stage.PARTNER] > stages[Stage.PROSPECT] > 0
    assert stages[Stage.PAUSED] > 0
    assert stages[Stage.WITHDRAWN] > 0
    assert all(c.latitude and c.longitude and c.postal_code.startswith("64") for c in capteurs)


@pytest.mark.django_db
def test_seeds_three_facilitators_and_one_coordinator_who_are_referents(seeded):
    memberships = Membership.objects.filter(territory__slug="ouest-bearn")
    roles = Counter(memberships.values_list("role", flat=True))
    assert roles == {Role.FACILITATOR: 3, Role.COORDINATOR: 1}
    facilitators = {m.user for m in memberships if m.role == Role.FACILITATOR}
    referents = set(User.objects.filter(referent_capteurs__isnull=False).distinct())
    assert referents == facilitators
    assert User.objects.filter(is_superuser=True, is_staff=True).count() == 1


@pytest.mark.django_db
def test_capteurs_have_a_stage_history_and_backdated_signatures(seeded):
    partners = Capteur.objects.filter(stage=Stage.PARTNER)
    for capteur in partners:
        assert capteur.stage_changes.filter(to_stage=Stage.PARTNER).exists()
        assert capteur.first_contact_on <= capteur.signed_on
    signed = sorted(partners.values_list("signed_on", flat=True))
    assert (signed[-1] - signed[0]).days > 300  # spread over months, not all today
    assert not Capteur.objects.filter(stage=Stage.PROSPECT, stage_changes__isnull=False).exists()


@pytest.mark.django_db
def test_activity_shows_new_active_and_dormant_partners(seeded):
    coordinator = User.objects.get(memberships__role=Role.COORDINATOR)
    partners = capteur_queryset(user=coordinator).filter(stage=Stage.PARTNER)
    activity = Counter(partners.values_list("activity", flat=True))
    assert activity["active"] >= 8
    assert activity["dormant"] >= 5
    assert activity["new"] >= 2


@pytest.mark.django_db
def test_scan_history_adds_up_to_each_codes_count_and_tells_scanned_from_silent(seeded):
    for code in ReferralCode.objects.all():
        days = CodeScanDay.objects.filter(code=code).aggregate(total=Sum("count"))["total"]
        assert (days or 0) == code.scan_count, code.short_code
    coordinator = User.objects.get(memberships__role=Role.COORDINATOR)
    scans = (
        capteur_queryset(user=coordinator)
        .filter(stage=Stage.PARTNER)
        .values_list("activity", "scans_30d")
    )
    active = [n for activity, n in scans if activity == "active"]
    assert max(active) > 0 and min(n for _, n in scans) == 0


@pytest.mark.django_db
def test_capteurs_that_asked_for_it_got_last_months_summary(seeded):
    summaries = CapteurSummary.objects.select_related("capteur")
    assert summaries.exists()
    assert all(s.capteur.summary_channel == SummaryChannel.EMAIL for s in summaries)
    assert {s.kind for s in summaries} == {
        CapteurSummary.Kind.SUMMARY,
        CapteurSummary.Kind.REMINDER,
    }


@pytest.mark.django_db
def test_every_partner_has_an_active_code_some_two_and_one_a_revoked_one(seeded):
    for capteur in Capteur.objects.filter(stage=Stage.PARTNER):
        assert capteur.codes.filter(revoked_at__isnull=True).exists(), capteur
    active_per_capteur = Counter(
        ReferralCode.objects.filter(revoked_at__isnull=True).values_list("capteur", flat=True)
    )
    assert sum(1 for n in active_per_capteur.values() if n == 2) >= 2
    revoked_partner_codes = ReferralCode.objects.filter(
        capteur__stage=Stage.PARTNER, revoked_at__isnull=False
    )
    assert revoked_partner_codes.count() == 1
    assert not ReferralCode.objects.filter(
        capteur__stage=Stage.WITHDRAWN, revoked_at__isnull=True
    ).exists()


@pytest.mark.django_db
def test_every_seeded_phone_number_is_valid(seeded):
    numbers = list(Capteur.objects.exclude(phone="").values_list("phone", flat=True))
    assert len(numbers) >= 35
    for number in numbers:
        assert phonenumbers.is_valid_number(number), number
        assert number.country_code == 33


@pytest.mark.django_db
def test_running_twice_changes_nothing(seeded):
    assert "40 capteurs created, 0 already there" in seeded
    before = snapshot()

    output = seed()

    assert snapshot() == before
    assert "0 capteurs created, 40 already there, 0 codes issued" in output


@pytest.mark.django_db
def test_a_missing_capteur_is_recreated_identically(seeded):
    fields = ("name", "kind", "contact_name", "phone", "address", "latitude", "signed_on")
    balto = Capteur.objects.filter(name="Bar-tabac Le Balto")
    before = balto.values(*fields).get()
    forget(balto)

    output = seed()

    recreated = balto.values(*fields).get()
    assert recreated == before
    assert "1 capteurs created, 39 already there" in output


@pytest.mark.django_db
def test_demo_users_log_in_with_the_documented_password(seeded, client):
    for demo in DEMO_USERS:
        assert authenticate(email=demo.email, password=DEMO_PASSWORD) is not None, demo.email
    assert client.login(email=DEMO_USERS[0].email, password=DEMO_PASSWORD)


@pytest.mark.django_db
def test_output_lists_the_urls_and_the_logins(seeded):
    output = seeded

    code = ReferralCode.objects.get(capteur__name="Bar-tabac Le Balto", revoked_at__isnull=True)
    base = django_settings.PUBLIC_BASE_URL
    assert f"{base}{code.public_path}" in output
    assert f"{base}/api/v1/codes/{code.pk}/poster.pdf" in output
    assert f"{base}/admin/" in output
    assert f"{base}/api/docs/" in output
    assert DEMO_PASSWORD in output
    for demo in DEMO_USERS:
        assert demo.email in output


@pytest.mark.django_db
def test_refuses_to_run_without_debug(seeded, settings):
    balto = Capteur.objects.filter(name="Bar-tabac Le Balto")
    forget(balto)
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        seed()

    assert not balto.exists()


@pytest.mark.django_db
def test_runs_without_debug_when_forced(seeded, settings):
    balto = Capteur.objects.filter(name="Bar-tabac Le Balto")
    forget(balto)
    settings.DEBUG = False

    seed("--force")

    assert balto.exists()


@pytest.mark.django_db
def test_six_months_of_referrals_give_the_inbox_life(seeded):
    referrals = Referral.objects.all()

    assert referrals.count() >= 60
    assert {r.status for r in referrals} == {"new", "contacted", "met", "oriented", "closed"}
    assert {r.channel for r in referrals} >= {"qr", "link", "capteur_space"}
    assert referrals.filter(assigned_to__isnull=False).count() == referrals.count()
    oldest = referrals.order_by("created_at").first().created_at
    assert (timezone.now() - oldest).days >= 120


@pytest.mark.django_db
def test_seeded_referrals_keep_each_capteurs_planned_activity(seeded):
    for capteur in Capteur.objects.exclude(referrals=None):
        latest = capteur.referrals.order_by("-created_at").first().created_at
        assert capteur.last_referral_at == latest, capteur.name


@pytest.mark.django_db
def test_seeded_people_have_numbers_that_ring_nobody(seeded):
    for phone in Referral.objects.exclude(phone="").values_list("phone", flat=True):
        assert str(phone).startswith("+3353649"), phone
    for phone in Capteur.objects.exclude(phone="").values_list("phone", flat=True):
        assert str(phone).startswith("+3353649"), phone


@pytest.mark.django_db
def test_visits_done_over_months_keep_each_capteurs_last_visit(seeded):
    done = Visit.objects.filter(status="done")
    assert done.count() >= 20
    assert done.exclude(outcome="").count() == done.count()
    assert done.exclude(next_step="").exists()
    days = sorted(done.values_list("done_on", flat=True))
    assert (days[-1] - days[0]).days > 90
    for capteur in Capteur.objects.filter(visits__status="done").distinct():
        latest = capteur.visits.filter(status="done").order_by("-done_on").first().done_on
        assert capteur.last_visit_on == latest, capteur.name
    assert Visit.objects.filter(status="planned", auto_planned=True).exists()
    assert Visit.objects.filter(status="planned", planned_on__gt=timezone.localdate()).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "start"), [("orthez", "membership"), ("mourenx", "territory"), ("oloron", "membership")]
)
def test_each_demo_facilitator_has_an_ordered_round_today(seeded, api, key, start):
    # given a demo facilitator
    demo = next(d for d in DEMO_USERS if d.key == key)
    api.force_authenticate(User.objects.get(email=demo.email))

    # when they open today's round
    body = api.get(f"/api/v1/visits/round/?date={timezone.localdate().isoformat()}").json()

    # then it holds 3 to 6 stops in short route order from their start point
    stops = body["stops"]
    assert 3 <= len(stops) <= 6
    assert body["start"]["source"] == start
    points = [(float(s["latitude"]), float(s["longitude"])) for s in stops]
    origin = (body["start"]["latitude"], body["start"]["longitude"])
    assert routing.short_route(points, start=origin) == list(range(len(stops)))
    assert all(s["maps_url"].startswith("geo:43.") for s in stops)
    assert all(s["distance_from_previous_km"] is not None for s in stops)
    assert body["total_km"] > 0


@pytest.mark.django_db
def test_the_demo_territory_has_a_round_start(seeded):
    territory = Territory.objects.get(slug="ouest-bearn")

    assert (float(territory.round_start_latitude), float(territory.round_start_longitude)) == (
        43.3812,
        -0.6297,
    )


@pytest.mark.django_db
def test_the_demo_coordinator_logs_in_with_the_published_demo_code(seeded, settings):
    from rest_framework.test import APIClient

    settings.PASSWORD_HASHERS = FAST_HASHERS
    coordinator = next(demo for demo in DEMO_USERS if demo.role == Role.COORDINATOR)
    client = APIClient()

    step = client.post(
        "/api/v1/auth/login/", {"email": coordinator.email, "password": DEMO_PASSWORD}
    )
    code = io.StringIO()
    call_command("demo_otp_code", stdout=code)
    verified = client.post("/api/v1/auth/otp/verify/", {"code": code.getvalue().strip()})

    assert step.json()["second_factor"] == "otp_required"
    assert verified.status_code == 200
    assert "demo_otp_code" in seeded
