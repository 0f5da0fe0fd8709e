"""The summary's daily roll-up (backend.referrals.services.daily): the nightly job, a duplicate
closed after it, and what the coordinator reads."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.capteurs.enums import ScanSource
from backend.referrals.enums import ClosingReason, Status
from backend.referrals.models import Referral, ReferralDay, ReferralDaysCovered
from backend.referrals.services.daily import referral_days_roll_up
from backend.referrals.services.triage import referral_move_status
from backend.referrals.tasks import roll_up_days
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.dashboard.factories import CodeScanDayFactory, at, referral_with_history
from tests.dashboard.test_apis import QUERIES, network_of

pytestmark = pytest.mark.django_db


def summary(api, query):
    response = api.get(reverse("dashboard-summary"), query)
    assert response.status_code == 200
    return response.json()


def test_the_nightly_job_counts_the_days_that_ended_once(quarter, territory):
    first = roll_up_days()
    rows = list(ReferralDay.objects.order_by("territory_id", "day").values())

    assert first > 0
    assert ReferralDaysCovered.objects.get(territory=territory).through == (
        timezone.localdate() - datetime.timedelta(days=1)
    )
    # Run again the same night: nothing to count, nothing changed.
    assert roll_up_days() == 0
    assert list(ReferralDay.objects.order_by("territory_id", "day").values()) == rows


def test_the_next_night_counts_one_more_day(quarter, territory):
    referral_days_roll_up(today=datetime.date(2025, 2, 1))
    before = ReferralDay.objects.filter(territory=territory).count()

    assert referral_days_roll_up(today=datetime.date(2025, 2, 2), territory_ids=[territory.id]) == 1
    assert ReferralDaysCovered.objects.get(territory=territory).through == datetime.date(2025, 2, 1)
    assert ReferralDay.objects.filter(territory=territory).count() >= before


def test_a_duplicate_closed_after_the_roll_up_leaves_the_past_days(
    coordinator_api, quarter, quarter_query, territory
):
    referral_days_roll_up()
    person = (
        Referral.objects.filter(
            territory=territory,
            first_contacted_at__isnull=False,
            created_at__date__lt=datetime.date(2025, 3, 1),
        )
        .exclude(status=Status.CLOSED)
        .order_by("id")
        .first()
    )
    assert person is not None
    rolled = summary(coordinator_api, quarter_query)

    referral_move_status(
        referral=person,
        to_status=Status.CLOSED,
        closing_reason=ClosingReason.DUPLICATE,
        actor=None,
    )

    after = summary(coordinator_api, quarter_query)
    assert after["referrals"]["received"] == rolled["referrals"]["received"] - 1
    assert after["referrals"]["contacted"] == rolled["referrals"]["contacted"] - 1
    # The same answer as counted from the referrals themselves, without the roll-up.
    ReferralDaysCovered.objects.all().delete()
    assert summary(coordinator_api, quarter_query) == after


def test_a_new_territory_is_counted_from_its_referrals_until_rolled_up(
    coordinator_api, quarter, quarter_query, territory, other_territory
):
    referral_days_roll_up(territory_ids=[other_territory.id])
    live = summary(coordinator_api, quarter_query)

    referral_days_roll_up(territory_ids=[territory.id])

    assert summary(coordinator_api, quarter_query) == live


def test_the_rolled_up_summary_takes_a_constant_number_of_queries(
    coordinator_api, territory, quarter_query, django_assert_num_queries
):
    network_of(territory, 5)
    referral_days_roll_up()
    # One more than counted from the referrals: the roll-up's rows.
    with django_assert_num_queries(QUERIES["dashboard-summary"] + 1):
        summary(coordinator_api, quarter_query)


def test_scans_before_any_referral_and_by_short_link_stay_counted(
    coordinator_api, territory, quarter_query
):
    # A poster scanned for days before anyone leaves their number, by QR code and short link.
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))
    for day, source in ((3, ScanSource.QR), (4, ScanSource.SHORT_LINK), (5, ScanSource.LINK)):
        CodeScanDayFactory(code=code, day=datetime.date(2025, 1, day), source=source, count=2)
    live = summary(coordinator_api, quarter_query)["scans"]

    referral_days_roll_up()

    assert summary(coordinator_api, quarter_query)["scans"] == live
    assert live["scans"] == 6 and live["qr"] == 2 and live["link"] == 2


def test_a_territory_that_fails_does_not_stop_the_others(territory, other_territory, monkeypatch):
    from backend.referrals.services import daily

    real = daily._write_days

    def failing(territory_id, days):
        if territory_id == territory.id:
            raise RuntimeError("boom")
        return real(territory_id, days)

    ReferralCodeFactory(capteur=CapteurFactory(territory=other_territory, partner=True))
    monkeypatch.setattr(daily, "_write_days", failing)
    referral_with_history(
        capteur=CapteurFactory(territory=territory, partner=True), received=at(2025, 1, 2)
    )
    referral_with_history(
        capteur=CapteurFactory(territory=other_territory, partner=True), received=at(2025, 1, 2)
    )

    referral_days_roll_up()

    assert not ReferralDaysCovered.objects.filter(territory=territory).exists()
    assert ReferralDaysCovered.objects.filter(territory=other_territory).exists()
