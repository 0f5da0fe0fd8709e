"""The capteurs list tells the living capteurs from the silent ones: activity (computed from
referral dates), scans of the posters over 30 days, last referral and last visit, each a
filter or a sort, in a constant number of queries."""

import datetime

import pytest
from django.utils import timezone

from backend.capteurs.enums import ScanSource
from tests.capteurs.factories import CapteurFactory, CodeScanDayFactory, ReferralCodeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/capteurs/"


def names(response):
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def test_scans_of_the_last_30_days_are_summed_over_codes_and_sources(facilitator_api, territory):
    # given a capteur with two posters, scanned today, 29 days ago and 30 days ago
    today = timezone.localdate()
    capteur = CapteurFactory(territory=territory, partner=True, name="Pharmacie du Gave")
    first, second = ReferralCodeFactory.create_batch(2, capteur=capteur)
    CodeScanDayFactory(code=first, day=today, source=ScanSource.QR, count=4)
    CodeScanDayFactory(code=first, day=today, source=ScanSource.LINK, count=1)
    CodeScanDayFactory(code=second, day=today - datetime.timedelta(days=29), count=2)
    CodeScanDayFactory(code=second, day=today - datetime.timedelta(days=30), count=50)

    # when the facilitator opens the capteur
    body = facilitator_api.get(f"{URL}{capteur.id}/").json()

    # then the 30-day window counts today and the 29 days before it
    assert body["scans_30d"] == 7


def test_the_list_sorts_by_scans_last_referral_and_last_visit(facilitator_api, territory):
    now = timezone.now()
    scanned = CapteurFactory(
        territory=territory,
        partner=True,
        name="Scanned",
        last_referral_at=now - datetime.timedelta(days=40),
        last_visit_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    CodeScanDayFactory(code=ReferralCodeFactory(capteur=scanned), count=9)
    recent = CapteurFactory(
        territory=territory,
        partner=True,
        name="Recent",
        last_referral_at=now - datetime.timedelta(days=1),
        last_visit_on=timezone.localdate() - datetime.timedelta(days=60),
    )
    CodeScanDayFactory(code=ReferralCodeFactory(capteur=recent), count=2)

    assert names(facilitator_api.get(URL, {"ordering": "-scans_30d"})) == ["Scanned", "Recent"]
    assert names(facilitator_api.get(URL, {"ordering": "-last_referral_at"})) == [
        "Recent",
        "Scanned",
    ]
    assert names(facilitator_api.get(URL, {"ordering": "last_visit_on"})) == ["Recent", "Scanned"]


def test_dormant_partners_are_found_by_the_activity_filter(facilitator_api, territory):
    now = timezone.now()
    CapteurFactory(
        territory=territory,
        partner=True,
        name="Silent",
        signed_on=timezone.localdate() - datetime.timedelta(days=200),
        last_referral_at=now - datetime.timedelta(days=120),
    )
    CapteurFactory(
        territory=territory,
        partner=True,
        name="Alive",
        signed_on=timezone.localdate() - datetime.timedelta(days=200),
        last_referral_at=now - datetime.timedelta(days=5),
    )

    assert names(facilitator_api.get(URL, {"activity": "dormant"})) == ["Silent"]
    assert names(facilitator_api.get(URL, {"activity": "active"})) == ["Alive"]


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_with_scans_costs_the_same_queries_whatever_its_size(
    facilitator_api, territory, django_assert_num_queries, count
):
    for capteur in CapteurFactory.create_batch(count, territory=territory, partner=True):
        CodeScanDayFactory(code=ReferralCodeFactory(capteur=capteur), count=3)

    # membership check, the user's territories (activity thresholds), the page
    with django_assert_num_queries(3):
        response = facilitator_api.get(URL, {"ordering": "-scans_30d", "activity": "dormant"})

    assert response.status_code == 200
