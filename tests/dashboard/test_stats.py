"""Medians in one query: PostgreSQL's percentile_cont, or one read and statistics.median."""

import datetime
import statistics

import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as PostgresWrapper
from django.db.models import F
from django.db.models.functions import TruncMonth
from django.test.utils import CaptureQueriesContext

from backend.dashboard.stats import PercentileCont, median_durations
from backend.referrals.models import Referral
from tests.capteurs.factories import CapteurFactory
from tests.dashboard.factories import at, referral_with_history

pytestmark = pytest.mark.django_db

HOURS = {1: [1, 8, 30], 2: [2, 4, 6, 50]}  # per month of 2025: delays to first contact


@pytest.fixture
def contacted(territory):
    capteur = CapteurFactory(territory=territory, partner=True)
    for month, delays in HOURS.items():
        for day, hours in enumerate(delays, start=1):
            received = at(2025, month, day)
            referral_with_history(
                capteur=capteur,
                received=received,
                contacted=received + datetime.timedelta(hours=hours),
            )
    referral_with_history(capteur=capteur, received=at(2025, 1, 20))  # never contacted
    return Referral.objects.all()


def test_the_median_of_all_rows_is_interpolated(contacted):
    every = sorted(h for delays in HOURS.values() for h in delays)

    with CaptureQueriesContext(connection) as queries:
        medians = median_durations(contacted, start="created_at", end="first_contacted_at")

    assert medians == {(): datetime.timedelta(hours=statistics.median(every))}
    assert len(queries) == 1


def test_medians_per_group_in_one_query(contacted):
    with CaptureQueriesContext(connection) as queries:
        medians = median_durations(
            contacted,
            start="created_at",
            end="first_contacted_at",
            group_by={"month": TruncMonth("first_contacted_at")},
        )

    assert {key[0].month: value for key, value in medians.items()} == {
        1: datetime.timedelta(hours=8),
        2: datetime.timedelta(hours=5),  # (4 + 6) / 2
    }
    assert len(queries) == 1


def test_no_rows_no_median(db):
    assert median_durations(Referral.objects.all(), start="created_at", end="closed_at") == {}


def test_on_postgresql_the_median_is_percentile_cont_within_group():
    """Compiled for PostgreSQL without a server: the SQL a PostgreSQL run sends."""
    postgres = PostgresWrapper(
        {**connection.settings_dict, "ENGINE": "django.db.backends.postgresql", "NAME": "x"},
        alias="postgres-compile-only",
    )
    query = (
        Referral.objects.annotate(month=TruncMonth("first_contacted_at"))
        .values("month")
        .annotate(median=PercentileCont(F("first_contacted_at") - F("created_at"), fraction=0.5))
        .order_by()
        .query
    )

    sql, _params = query.get_compiler(connection=postgres).as_sql()

    assert "percentile_cont(0.5) WITHIN GROUP (ORDER BY" in sql
    assert "GROUP BY" in sql


@pytest.mark.postgres
def test_percentile_cont_agrees_with_statistics_median(contacted):
    every = sorted(h for delays in HOURS.values() for h in delays)

    median = contacted.aggregate(
        median=PercentileCont(F("first_contacted_at") - F("created_at"), fraction=0.5)
    )["median"]

    assert median == datetime.timedelta(hours=statistics.median(every))
