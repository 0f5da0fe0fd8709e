"""A capteur's month-by-month history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.dashboard.selectors.network import capteur_history
from backend.referrals.enums import ClosingReason
from backend.visits.enums import VisitKind
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.dashboard.factories import CodeScanDayFactory, at, referral_with_history
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db


def test_the_history_counts_each_month_of_the_last_twelve(territory, coordinator, quarter):
    # given the quarter's bar, and a visit of another capteur
    bar = quarter.capteurs["bar"]

    # when its history is read on 15 March 2025
    history = capteur_history(user=coordinator, capteur=bar, today=datetime.date(2025, 3, 15))

    # then twelve months, April 2024 to March 2025
    months = {row["month"]: row for row in history["months"]}
    assert list(months) == [f"2024-{m:02d}" for m in range(4, 13)] + [
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    # January: three referrals (the duplicate left out), two of them oriented since
    assert months["2025-01"] == {
        "month": "2025-01",
        "referrals": 3,
        "oriented": 2,
        "scans": 14,
        "visits_done": 1,
    }
    assert months["2024-12"]["scans"] == 7
    assert sum(row["referrals"] for row in history["months"]) == 3
    assert history["last_visit"] == {"done_on": datetime.date(2025, 1, 14), "kind": "follow_up"}


def test_the_history_api_covers_the_current_month_and_the_eleven_before(facilitator_api, territory):
    # given a capteur that sent someone today and was visited this month
    capteur = CapteurFactory(territory=territory, partner=True)
    code = ReferralCodeFactory(capteur=capteur)
    referral_with_history(capteur=capteur, code=code, received=timezone.now())
    CodeScanDayFactory(code=code)
    VisitFactory(
        capteur=capteur, done=True, planned_on=timezone.localdate(), kind=VisitKind.RESTOCK
    )

    # when
    before = timezone.localdate()
    response = facilitator_api.get(reverse("capteur-history", kwargs={"capteur_id": capteur.id}))
    after = timezone.localdate()

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["capteur"]["id"] == capteur.id
    assert body["capteur"]["activity"] == "active"
    assert len(body["months"]) == 12
    assert body["months"][-1]["month"] in (before.strftime("%Y-%m"), after.strftime("%Y-%m"))
    assert sum(row["referrals"] for row in body["months"]) == 1
    assert sum(row["scans"] for row in body["months"]) == 3
    assert sum(row["visits_done"] for row in body["months"]) == 1
    assert body["last_visit"]["kind"] == "restock"


def test_a_capteur_that_never_had_anything_has_an_empty_history(coordinator_api, territory):
    capteur = CapteurFactory(territory=territory)

    body = coordinator_api.get(reverse("capteur-history", kwargs={"capteur_id": capteur.id})).json()

    assert {
        (r["referrals"], r["oriented"], r["scans"], r["visits_done"]) for r in body["months"]
    } == {(0, 0, 0, 0)}
    assert body["last_visit"] is None


def test_the_history_takes_a_constant_number_of_queries(
    coordinator_api, territory, django_assert_num_queries
):
    capteur = CapteurFactory(territory=territory, partner=True)
    code = ReferralCodeFactory(capteur=capteur)
    url = reverse("capteur-history", kwargs={"capteur_id": capteur.id})

    def add(count, *, start=0):
        for index in range(start, start + count):
            when = timezone.now() - datetime.timedelta(days=index * 5)
            referral_with_history(capteur=capteur, code=code, received=when, oriented=when)
            CodeScanDayFactory(
                code=code, day=timezone.localdate(when), count=index + 1, by_link=index % 2
            )
            VisitFactory(capteur=capteur, done=True, planned_on=timezone.localdate(when))

    # roles, territories (activity thresholds), the capteur, then four reads
    add(5)
    with django_assert_num_queries(7):
        coordinator_api.get(url)
    add(60, start=5)
    with django_assert_num_queries(7):
        coordinator_api.get(url)


def test_duplicates_are_not_in_the_history(coordinator, territory):
    capteur = CapteurFactory(territory=territory, partner=True)
    referral_with_history(capteur=capteur, received=at(2025, 3, 3))
    referral_with_history(
        capteur=capteur,
        received=at(2025, 3, 4),
        closed=at(2025, 3, 5),
        reason=ClosingReason.DUPLICATE,
    )

    history = capteur_history(user=coordinator, capteur=capteur, today=datetime.date(2025, 3, 31))

    assert history["months"][-1]["referrals"] == 1
