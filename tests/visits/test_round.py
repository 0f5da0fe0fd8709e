"""The day's round: a short route through the facilitator's due visits."""

import datetime
import itertools

import pytest
from django.utils import timezone

from backend.visits import routing
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory
from tests.visits.factories import VisitFactory

DAY = datetime.timedelta(days=1)
# Around Mourenx: 0.01° is about 1.1 km north-south and 0.8 km east-west there.
ORIGIN = (43.38, -0.63)


def grid(x: int, y: int) -> routing.Point:
    """A point x hundredths of a degree east and y north of ORIGIN."""
    return (round(ORIGIN[0] + y / 100, 6), round(ORIGIN[1] + x / 100, 6))


# --- routing, pure -----------------------------------------------------------------------


def test_haversine_knows_the_distance_from_mourenx_to_orthez():
    # town halls, 16.5 km apart as the crow flies
    assert routing.haversine_km((43.3812, -0.6297), (43.4883, -0.7719)) == pytest.approx(
        16.54, abs=0.01
    )


def test_stops_on_a_line_are_visited_in_line_order():
    stops = [grid(3, 0), grid(1, 0), grid(4, 0), grid(2, 0)]

    assert routing.short_route(stops, start=grid(0, 0)) == [1, 3, 0, 2]


def test_two_opt_fixes_what_nearest_neighbour_gets_wrong():
    # given four stops strung north-west of a point east of the start: the nearest one (1, 1)
    # lures nearest neighbour up the line, and it must come all the way back for (2, 0)
    start = grid(0, 0)
    stops = [grid(0, 4), grid(1, 2), grid(2, 0), grid(1, 1)]
    matrix = routing.distance_matrix([start, *stops])

    # when
    greedy = routing.nearest_neighbour(matrix)
    improved = routing.short_route(stops, start=start)

    # then 2-opt finds the best order, which brute force confirms
    best = min(
        itertools.permutations(range(len(stops))),
        key=lambda order: routing.route_length([0, *(i + 1 for i in order)], matrix),
    )
    assert [i - 1 for i in greedy[1:]] == [3, 1, 0, 2]
    assert improved == list(best) == [2, 3, 1, 0]
    assert routing.route_length(greedy, matrix) > routing.route_length(
        [0, *(i + 1 for i in improved)], matrix
    )


def test_without_a_start_the_route_may_begin_at_either_end():
    # nearest neighbour from the first stop (at 2) zigzags; the best path runs end to end
    stops = [grid(2, 0), grid(0, 0), grid(3, 0), grid(1, 0)]

    assert routing.short_route(stops) in ([1, 3, 0, 2], [2, 0, 3, 1])


def test_routing_handles_no_stop_and_one_stop():
    assert routing.short_route([], start=grid(0, 0)) == []
    assert routing.short_route([grid(1, 1)]) == [0]


# --- the API -----------------------------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


def stop_at(territory, facilitator, point, *, name, planned_on, **capteur_fields):
    latitude, longitude = point if point else (None, None)
    capteur = CapteurFactory(
        territory=territory,
        partner=True,
        name=name,
        latitude=latitude,
        longitude=longitude,
        **capteur_fields,
    )
    return VisitFactory(capteur=capteur, facilitator=facilitator, planned_on=planned_on)


def names(response):
    assert response.status_code == 200, response.json()
    return [stop["capteur_name"] for stop in response.json()["stops"]]


@pytest.mark.django_db
def test_the_round_orders_todays_visits_from_the_territorys_start(
    facilitator_api, territory, facilitator, today
):
    # given the territory's office at the origin and four stops that fool nearest neighbour
    territory.round_start_latitude, territory.round_start_longitude = grid(0, 0)
    territory.save()
    for name, point in [("A", grid(0, 4)), ("B", grid(1, 2)), ("C", grid(2, 0)), ("D", grid(1, 1))]:
        stop_at(territory, facilitator, point, name=name, planned_on=today)

    # when
    response = facilitator_api.get("/api/v1/visits/round/")

    # then
    assert names(response) == ["C", "D", "B", "A"]
    body = response.json()
    assert body["date"] == today.isoformat()
    assert body["start"] == {"latitude": 43.38, "longitude": -0.63, "source": "territory"}
    legs = [stop["distance_from_previous_km"] for stop in body["stops"]]
    assert legs[0] == pytest.approx(routing.haversine_km(grid(0, 0), grid(2, 0)), abs=0.01)
    assert body["total_km"] == pytest.approx(sum(legs), abs=0.02)


@pytest.mark.django_db
def test_a_facilitators_own_start_wins_over_the_territorys(
    facilitator_api, territory, facilitator, today
):
    territory.round_start_latitude, territory.round_start_longitude = grid(0, 0)
    territory.save()
    membership = facilitator.memberships.get()
    membership.round_start_latitude, membership.round_start_longitude = grid(10, 0)
    membership.save()
    for name, x in [("West", 1), ("Middle", 5), ("East", 9)]:
        stop_at(territory, facilitator, grid(x, 0), name=name, planned_on=today)

    response = facilitator_api.get("/api/v1/visits/round/")

    assert names(response) == ["East", "Middle", "West"]
    assert response.json()["start"]["source"] == "membership"


@pytest.mark.django_db
def test_without_any_start_the_round_starts_at_a_stop(
    facilitator_api, territory, facilitator, today
):
    for name, x in [("Two", 2), ("Zero", 0), ("Three", 3), ("One", 1)]:
        stop_at(territory, facilitator, grid(x, 0), name=name, planned_on=today)

    body = facilitator_api.get("/api/v1/visits/round/").json()

    assert [s["capteur_name"] for s in body["stops"]] in (
        ["Zero", "One", "Two", "Three"],
        ["Three", "Two", "One", "Zero"],
    )
    assert body["start"] == {"latitude": None, "longitude": None, "source": "first_stop"}
    assert body["stops"][0]["distance_from_previous_km"] is None
    assert body["total_km"] == pytest.approx(routing.haversine_km(grid(0, 0), grid(3, 0)), 0.01)


@pytest.mark.django_db
def test_the_round_holds_overdue_visits_and_only_the_facilitators_planned_ones(
    facilitator_api, territory, facilitator, today
):
    # given
    due = stop_at(territory, facilitator, grid(1, 0), name="Due", planned_on=today)
    late = stop_at(territory, facilitator, grid(2, 0), name="Late", planned_on=today - 3 * DAY)
    stop_at(territory, facilitator, grid(3, 0), name="Tomorrow", planned_on=today + DAY)
    VisitFactory(capteur__territory=territory, capteur__name="Colleague's", planned_on=today)
    VisitFactory(capteur__territory=territory, facilitator=facilitator, done=True)
    VisitFactory(
        capteur__territory=territory, facilitator=facilitator, cancelled=True, planned_on=today
    )

    # when
    stops = facilitator_api.get("/api/v1/visits/round/").json()["stops"]

    # then
    assert {s["visit"]: s["overdue"] for s in stops} == {due.id: False, late.id: True}


@pytest.mark.django_db
def test_the_round_of_another_day(facilitator_api, territory, facilitator, today):
    stop_at(territory, facilitator, grid(1, 0), name="Today", planned_on=today)
    stop_at(territory, facilitator, grid(2, 0), name="Friday", planned_on=today + 3 * DAY)

    response = facilitator_api.get(f"/api/v1/visits/round/?date={(today + 3 * DAY).isoformat()}")

    assert sorted(names(response)) == ["Friday", "Today"]
    assert facilitator_api.get("/api/v1/visits/round/?date=demain").status_code == 400


@pytest.mark.django_db
def test_stops_without_coordinates_come_last_and_are_never_dropped(
    facilitator_api, territory, facilitator, today
):
    # given one stop with coordinates, one with an address only, one with nothing at all
    stop_at(
        territory, facilitator, None, name="Sans GPS", planned_on=today, address="3 rue du Bourg"
    )
    stop_at(territory, facilitator, grid(1, 0), name="Le Balto & Co", planned_on=today)
    stop_at(
        territory,
        facilitator,
        None,
        name="Inconnu",
        planned_on=today,
        address="",
        postal_code="",
        city="",
    )

    # when
    stops = facilitator_api.get("/api/v1/visits/round/").json()["stops"]

    # then
    assert [s["capteur_name"] for s in stops] == ["Le Balto & Co", "Sans GPS", "Inconnu"]
    assert stops[0]["maps_url"] == "geo:43.38,-0.62?q=43.38,-0.62(Le%20Balto%20%26%20Co)"
    assert stops[1]["maps_url"] == "geo:0,0?q=3%20rue%20du%20Bourg%2C%2064300%20Orthez"
    assert stops[2]["maps_url"] is None
    assert [s["distance_from_previous_km"] for s in stops[1:]] == [None, None]


@pytest.mark.django_db
def test_a_stop_carries_the_next_step_of_the_previous_visit(
    facilitator_api, territory, facilitator, today
):
    visit = stop_at(territory, facilitator, grid(1, 0), name="Balto", planned_on=today)
    VisitFactory(capteur=visit.capteur, done=True, next_step="Apporter 20 cartes.")

    stop = facilitator_api.get("/api/v1/visits/round/").json()["stops"][0]

    assert stop["previous_next_step"] == "Apporter 20 cartes."
    assert stop["kind"] == "follow_up"
    assert stop["capteur_phone"] == str(visit.capteur.phone)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 25])
def test_the_round_costs_a_constant_number_of_queries(
    facilitator_api, territory, facilitator, today, django_assert_num_queries, count
):
    for n in range(count):
        stop_at(territory, facilitator, grid(n % 7, n // 7), name=f"Stop {n}", planned_on=today)

    # membership check + start point + the stops (capteurs and previous next steps joined)
    with django_assert_num_queries(3):
        response = facilitator_api.get("/api/v1/visits/round/")

    assert len(response.json()["stops"]) == count


@pytest.mark.django_db
def test_a_coordinators_round_is_empty(coordinator_api, territory, today):
    VisitFactory(capteur__territory=territory, planned_on=today)

    body = coordinator_api.get("/api/v1/visits/round/").json()

    assert (body["stops"], body["total_km"]) == ([], 0.0)


@pytest.mark.django_db
def test_a_membership_left_takes_its_visits_out_of_the_round(
    facilitator_api, territory, facilitator, other_territory, today
):
    MembershipFactory(territory=other_territory, user=facilitator)
    theirs = CapteurFactory(territory=other_territory, partner=True)
    VisitFactory(capteur=theirs, facilitator=facilitator, planned_on=today)
    stop_at(territory, facilitator, grid(1, 0), name="Here", planned_on=today)
    facilitator.memberships.filter(territory=other_territory).delete()

    assert names(facilitator_api.get("/api/v1/visits/round/")) == ["Here"]
