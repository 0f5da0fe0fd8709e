"""The dashboard widgets against the quarter of tests/dashboard/dataset.py: what each one says is
recomputed here in plain Python from the dataset's lists."""

import datetime
import statistics

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.dashboard.selectors.scope import default_period
from backend.referrals.enums import Channel, ClosingReason
from backend.referrals.services.daily import referral_days_roll_up
from backend.visits.enums import VisitStatus
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.dashboard.dataset import FIRST_DAY, LAST_DAY, ROLL_UPS, SCANS, STORIES, VISITS, ours
from tests.dashboard.factories import CodeScanDayFactory, at, referral_with_history
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

WIDGETS = [
    "dashboard-summary",
    "dashboard-referrals-per-week",
    "dashboard-funnel",
    "dashboard-by-capteur-kind",
    "dashboard-top-capteurs",
    "dashboard-silent-capteurs",
    "dashboard-codes",
    "dashboard-map",
]


def in_quarter(when) -> bool:
    return when is not None and FIRST_DAY <= timezone.localdate(when) <= LAST_DAY


PEOPLE = [story for story in STORIES if ours(story) and not story.duplicate]
RECEIVED = [story for story in PEOPLE if in_quarter(story.received)]


@pytest.mark.parametrize("rolled_up_on", ROLL_UPS.values(), ids=ROLL_UPS.keys())
def test_the_summary_counts_the_quarter(coordinator_api, quarter, quarter_query, rolled_up_on):
    if rolled_up_on is not None:
        referral_days_roll_up(today=None if rolled_up_on == "today" else rolled_up_on)

    response = coordinator_api.get(reverse("dashboard-summary"), quarter_query)

    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"from": "2025-01-01", "to": "2025-03-31"}
    assert body["referrals"] == {
        "received": len(RECEIVED),
        "contacted": sum(in_quarter(s.contacted) for s in PEOPLE),
        "met": sum(in_quarter(s.met) for s in PEOPLE),
        "oriented": sum(in_quarter(s.oriented) for s in PEOPLE),
        "closed": sum(in_quarter(s.closed) for s in PEOPLE),
        "closed_by_reason": [
            {
                "reason": reason.value,
                "label": reason.label,
                "count": sum(
                    in_quarter(s.closed) and s.reason == reason for s in STORIES if ours(s)
                ),
            }
            for reason in ClosingReason
        ],
    }
    delays = [s.contacted - s.received for s in PEOPLE if in_quarter(s.contacted)]
    due = [s for s in PEOPLE if FIRST_DAY <= s.due_on <= LAST_DAY]
    on_time = [s for s in due if s.contacted and timezone.localdate(s.contacted) <= s.due_on]
    assert body["first_contact"] == {
        "median_hours": round(statistics.median(delays).total_seconds() / 3600, 1),
        "due": len(due),
        "on_time": len(on_time),
        "on_time_rate": round(len(on_time) / len(due), 4),
    }
    assert body["first_contact"]["median_hours"] == 24.0
    ours_visits = [v for v in VISITS if v[0] != "theirs"]
    assert body["visits"] == {
        "planned": sum(v[2] != VisitStatus.CANCELLED for v in ours_visits),
        "done": sum(v[2] == VisitStatus.DONE for v in ours_visits),
        "cancelled": sum(v[2] == VisitStatus.CANCELLED for v in ours_visits),
        "overdue": sum(v[2] == VisitStatus.PLANNED for v in ours_visits),
    }
    scans = [s for s in SCANS if s[0] != "theirs" and FIRST_DAY <= s[1] <= LAST_DAY]
    from_page = sum(s.channel in (Channel.QR, Channel.LINK) for s in RECEIVED)
    assert body["scans"] == {
        "scans": sum(s[3] for s in scans),
        "qr": sum(s[3] for s in scans if s[2] == "qr"),
        "link": sum(s[3] for s in scans if s[2] == "link"),
        "referrals_from_page": from_page,
        "conversion": round(from_page / sum(s[3] for s in scans), 4),
    }


def test_the_summary_counts_capteurs_by_live_activity_and_stage(coordinator_api, territory):
    CapteurFactory(territory=territory, sending=True)
    CapteurFactory(territory=territory, newly_signed=True)
    CapteurFactory(territory=territory, partner=True)
    CapteurFactory(territory=territory)
    CapteurFactory(territory=territory, withdrawn=True)

    capteurs = coordinator_api.get(reverse("dashboard-summary")).json()["capteurs"]

    assert {row["activity"]: row["count"] for row in capteurs["by_activity"]} == {
        "new": 1,
        "active": 1,
        "dormant": 1,
    }
    assert {row["stage"]: row["count"] for row in capteurs["by_stage"]} == {
        "prospect": 1,
        "partner": 3,
        "paused": 0,
        "withdrawn": 1,
    }


def test_weeks_list_every_week_of_the_period(coordinator_api, quarter, quarter_query):
    weeks = coordinator_api.get(reverse("dashboard-referrals-per-week"), quarter_query).json()[
        "weeks"
    ]

    monday = datetime.date(2024, 12, 30)
    expected = []
    while monday <= LAST_DAY:
        sunday = monday + datetime.timedelta(days=6)
        year, week, _ = monday.isocalendar()
        expected.append(
            {
                "week": f"{year}-W{week:02d}",
                "start": monday.isoformat(),
                "referrals": sum(
                    monday <= timezone.localdate(s.received) <= sunday for s in RECEIVED
                ),
                "partial": monday < FIRST_DAY or sunday > LAST_DAY,
            }
        )
        monday += datetime.timedelta(weeks=1)
    assert weeks == expected
    assert (weeks[0]["week"], weeks[-1]["week"], sum(w["referrals"] for w in weeks)) == (
        "2025-W01",
        "2025-W14",
        7,
    )


def test_the_funnel_follows_the_quarters_referrals(coordinator_api, quarter, quarter_query):
    body = coordinator_api.get(reverse("dashboard-funnel"), quarter_query).json()

    # stages reached, or a later one: a person oriented on the phone has been "met" too
    reached = {
        "new": len(RECEIVED),
        "contacted": sum(bool(s.contacted or s.met or s.oriented) for s in RECEIVED),
        "met": sum(bool(s.met or s.oriented) for s in RECEIVED),
        "oriented": sum(bool(s.oriented) for s in RECEIVED),
        "closed": sum(bool(s.closed) for s in RECEIVED),
    }
    assert {row["stage"]: row["count"] for row in body["stages"]} == reached
    assert reached == {"new": 7, "contacted": 6, "met": 4, "oriented": 3, "closed": 2}
    assert body["received"] == 7
    assert body["duplicates"] == 1
    assert {row["status"]: row["count"] for row in body["current_status"]} == {
        "new": 1,
        "contacted": 1,
        "met": 1,
        "oriented": 2,
        "closed": 2,
    }
    assert {row["reason"]: row["count"] for row in body["closing_reasons"]} == {
        "accompanied": 1,
        "declined": 1,
        "unreachable": 0,
        "out_of_scope": 0,
    }


def test_capteur_kinds_say_which_kinds_bring_people_who_are_oriented(
    coordinator_api, quarter, quarter_query
):
    body = coordinator_api.get(reverse("dashboard-by-capteur-kind"), quarter_query).json()

    kinds = {row["kind"]: row for row in body["kinds"]}
    assert len(kinds) == 10
    assert {k: (r["referrals"], r["oriented"]) for k, r in kinds.items() if r["referrals"]} == {
        "bar_tabac": (3, 2),
        "pharmacie": (2, 1),
        "association_caritative": (1, 0),
    }
    assert {k: r["partners"] for k, r in kinds.items() if r["partners"]} == {
        "bar_tabac": 1,
        "pharmacie": 1,
        "club_sportif": 1,
        "association_caritative": 1,
        "commerce": 1,
    }
    assert body["without_capteur"] == {"referrals": 1, "oriented": 0}


def test_top_capteurs_are_those_that_sent_the_most(coordinator_api, quarter, quarter_query):
    body = coordinator_api.get(reverse("dashboard-top-capteurs"), {**quarter_query, "limit": 2})

    assert [
        (row["name"], row["referrals"], row["oriented"]) for row in body.json()["capteurs"]
    ] == [("Capteur bar", 3, 2), ("Capteur pharmacie", 2, 1)]


def test_codes_show_their_scans_and_what_they_turned_into(coordinator_api, quarter, quarter_query):
    codes = coordinator_api.get(reverse("dashboard-codes"), quarter_query).json()["codes"]

    assert [
        (
            row["short_code"],
            row["capteur_name"],
            row["scans"],
            row["referrals"],
            row["referrals_from_page"],
            row["conversion"],
        )
        for row in codes
    ] == [
        (quarter.codes["bar"].short_code, "Capteur bar", 14, 3, 3, round(3 / 14, 4)),
        (quarter.codes["pharmacie"].short_code, "Capteur pharmacie", 6, 2, 2, round(2 / 6, 4)),
        (quarter.codes["asso"].short_code, "Capteur asso", 2, 1, 1, 0.5),
    ]


def test_the_map_is_geojson_without_personal_data(coordinator_api, quarter, quarter_query):
    body = coordinator_api.get(reverse("dashboard-map"), quarter_query).json()

    assert body["type"] == "FeatureCollection"
    assert body["without_coordinates"] == 1  # the epicerie
    features = {feature["properties"]["name"]: feature for feature in body["features"]}
    assert set(features) == {
        "Capteur bar",
        "Capteur pharmacie",
        "Capteur club",
        "Capteur agence",
        "Capteur asso",
    }
    bar = features["Capteur bar"]
    assert bar["geometry"] == {"type": "Point", "coordinates": [-0.771, 43.488]}
    assert bar["properties"] == {
        "id": quarter.capteurs["bar"].id,
        "name": "Capteur bar",
        "kind": "bar_tabac",
        "stage": "partner",
        "activity": "dormant",
        "city": quarter.capteurs["bar"].city,
        "referrals": 3,
    }


def test_the_map_leaves_withdrawn_capteurs_out(coordinator_api, territory):
    CapteurFactory(territory=territory, withdrawn=True)

    assert coordinator_api.get(reverse("dashboard-map")).json()["features"] == []


def test_silent_partners_are_those_silent_the_longest(coordinator_api, territory):
    # given dormant partners: one that never sent anyone, two silent for 100 and 200 days
    now = timezone.now()
    never = CapteurFactory(
        territory=territory, partner=True, last_visit_on=datetime.date(2025, 5, 2)
    )
    long_ago = CapteurFactory(
        territory=territory, partner=True, last_referral_at=now - datetime.timedelta(days=200)
    )
    recently = CapteurFactory(
        territory=territory, partner=True, last_referral_at=now - datetime.timedelta(days=100)
    )
    CapteurFactory(territory=territory, sending=True)  # active: not silent
    CapteurFactory(territory=territory, newly_signed=True)  # new: not silent yet

    # when
    rows = coordinator_api.get(reverse("dashboard-silent-capteurs")).json()["capteurs"]

    # then
    assert [row["id"] for row in rows] == [never.id, long_ago.id, recently.id]
    assert rows[0]["last_visit_on"] == "2025-05-02"
    assert rows[0]["silent_days"] == (timezone.localdate() - never.signed_on).days
    assert rows[1]["silent_days"] in (200, 201)


def test_a_member_of_two_territories_sees_both_or_the_one_asked(
    api, territory, other_territory, quarter, quarter_query
):
    user = MembershipFactory(territory=territory, facilitator=True).user
    MembershipFactory(user=user, territory=other_territory, coordinator=True)
    api.force_authenticate(user)

    both = api.get(reverse("dashboard-summary"), quarter_query).json()
    theirs = api.get(
        reverse("dashboard-summary"), {**quarter_query, "territory": other_territory.id}
    ).json()

    assert [t["name"] for t in both["territories"]] == ["Haut Béarn", "Ouest Béarn"]
    assert both["referrals"]["received"] == len(RECEIVED) + 1
    assert [t["name"] for t in theirs["territories"]] == ["Haut Béarn"]
    assert theirs["referrals"]["received"] == 1


def test_no_widget_shows_a_referred_persons_data(coordinator_api, quarter, quarter_query):
    bodies = "".join(
        coordinator_api.get(reverse(name), quarter_query).content.decode() for name in WIDGETS
    )

    for referral in quarter.referrals:
        assert referral.first_name not in bodies
        assert str(referral.phone)[4:] not in bodies


def test_the_period_defaults_to_the_current_week_and_the_eleven_before(coordinator_api):
    before = default_period(timezone.localdate())
    period = coordinator_api.get(reverse("dashboard-summary")).json()["period"]
    after = default_period(timezone.localdate())

    assert period in (
        {"from": p.start.isoformat(), "to": p.end.isoformat()} for p in (before, after)
    )
    assert datetime.date.fromisoformat(period["from"]).weekday() == 0


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2025-03-01", "to": "2025-01-01"},
        {"from": "01/03/2025"},
        {"from": "2020-01-01", "to": "2025-01-01"},
        {"territory": "ouest"},
        {"limit": 0},
        {"limit": 51},
    ],
)
def test_malformed_queries_are_400(coordinator_api, query):
    response = coordinator_api.get(reverse("dashboard-codes"), query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


# --- constant queries ----------------------------------------------------------------------


def network_of(territory, size):
    """`size` referrals over a few capteurs, with codes, scans and visits."""
    capteurs = [CapteurFactory(territory=territory, partner=True) for _ in range(3)]
    codes = [ReferralCodeFactory(capteur=capteur) for capteur in capteurs]
    for index in range(size):
        capteur, code = capteurs[index % 3], codes[index % 3]
        referral_with_history(
            capteur=capteur,
            code=code,
            received=at(2025, 1, 2) + datetime.timedelta(hours=index * 20),
            contacted=at(2025, 1, 3) + datetime.timedelta(hours=index * 20),
            met=at(2025, 1, 10) + datetime.timedelta(hours=index * 20),
        )
        CodeScanDayFactory(
            code=code, day=datetime.date(2025, 1, 1) + datetime.timedelta(days=index)
        )
        VisitFactory(capteur=capteur, planned_on=datetime.date(2025, 2, 1), done=index % 2 == 0)
    CapteurFactory(territory=territory, partner=True, latitude=None, longitude=None)


# Queries of one request: the member's roles and territories, then the widget's own.
QUERIES = {
    "dashboard-summary": 2 + 9,
    "dashboard-referrals-per-week": 2 + 1,
    "dashboard-funnel": 2 + 1,
    "dashboard-by-capteur-kind": 2 + 2,
    "dashboard-top-capteurs": 2 + 2,
    "dashboard-silent-capteurs": 2 + 1,
    "dashboard-codes": 2 + 3,
    "dashboard-map": 2 + 2,
}


@pytest.mark.parametrize("name", WIDGETS)
def test_each_widget_takes_a_constant_number_of_queries(
    coordinator_api, territory, quarter_query, name, django_assert_num_queries
):
    network_of(territory, 5)
    with django_assert_num_queries(QUERIES[name]):
        assert coordinator_api.get(reverse(name), quarter_query).status_code == 200

    network_of(territory, 60)
    with django_assert_num_queries(QUERIES[name]):
        assert coordinator_api.get(reverse(name), quarter_query).status_code == 200
