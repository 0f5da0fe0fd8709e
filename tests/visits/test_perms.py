"""Walks the table of backend/visits/perms.py through the HTTP API: every action, by every
role of the territory, answers what the table says, and a refusal changes nothing.

TABLE is the table of the perms module's docstring and of README.md, row by row (a test keeps
the three the same), each row with the requests it stands for. A new visits endpoint fails
`test_every_visits_endpoint_is_an_action_of_the_table` until it is given a row. Another
territory's objects (404) are walked by tests/core/test_territory_scoping.py.
"""

import datetime
import inspect
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.capteurs.models import Capteur, StageChange
from backend.visits import perms, urls
from backend.visits.models import CalendarFeed, Visit, VisitEvent
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.capteurs.factories import CapteurFactory
from tests.perms_table import (
    Row,
    assert_answer,
    assert_documented,
    assert_every_endpoint_walked,
    walk,
)
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

# The roles a member of the territory can hold, and the column that rules each.
ROLES = {
    "referent_facilitator": "facilitator",
    "other_facilitator": "facilitator",
    "coordinator": "coordinator",
}


class Call(NamedTuple):
    """One request standing for an action."""

    name: str  # of the URL
    method: str
    ok: int = 200  # the status when allowed
    on_visit: bool = True  # the URL names the visit
    data: Any = None  # a dict, or a function of the World giving one
    label: str = ""  # tells apart two calls of one endpoint in test ids


TABLE = [
    Row(
        "see visits and their history (all the territory's, whoever does them)",
        "yes",
        "yes",
        [Call("visit-list", "get", on_visit=False), Call("visit-detail", "get")],
    ),
    Row(
        "see one's day round (one's own planned visits, in route order)",
        "yes",
        "yes",
        [Call("visit-round", "get", on_visit=False)],
    ),
    Row(
        "plan a visit (for a facilitator of the territory)",
        "yes",
        "yes",
        [
            Call(
                "visit-list",
                "post",
                201,
                on_visit=False,
                data=lambda world: {
                    "capteur": world.capteur.id,
                    "kind": "restock",
                    "planned_on": timezone.localdate().isoformat(),
                    "facilitator": world.users["referent_facilitator"].id,
                },
            )
        ],
    ),
    Row(
        "reschedule or cancel a visit",
        "yes",
        "yes",
        [
            Call(
                "visit-reschedule",
                "post",
                data=lambda world: {"planned_on": timezone.localdate().isoformat()},
            ),
            Call("visit-cancel", "post", data={"reason": "Fermé"}),
        ],
    ),
    Row(
        "record a visit as done",
        "yes",
        "yes",
        [Call("visit-done", "post", data={"outcome": "RAS"}, label="plain")],
    ),
    Row(
        "move the capteur's stage when recording a visit",
        "yes",
        "yes",
        [Call("visit-done", "post", data={"capteur_stage": "paused"}, label="pause")],
    ),
    Row(
        "withdraw the capteur when recording a visit",
        "if référent",
        "yes",
        [Call("visit-done", "post", data={"capteur_stage": "withdrawn"}, label="withdraw")],
    ),
    Row(
        "subscribe to one's own calendar feed (open, rotate, close its secret link)",
        "yes",
        "yes",
        [
            Call("visit-calendar-feed", "get", on_visit=False),
            Call("visit-calendar-feed", "post", 201, on_visit=False),
            Call("visit-calendar-feed", "delete", 204, on_visit=False),
        ],
    ),
]


def allowed(row: Row, role: str) -> bool:
    """What `row` says of `role`."""
    cell = getattr(row, ROLES[role])
    if cell == "if référent":
        return role == "referent_facilitator"
    assert cell in ("yes", "no"), f"unknown cell {cell!r}"
    return cell == "yes"


@dataclass
class World:
    """A territory with its three kinds of members, a partner capteur (référent: the référent
    facilitator) and a visit to it planned for tomorrow, by the référent."""

    users: dict
    capteur: Capteur
    visit: Visit


@pytest.fixture
def world(territory):
    users = {
        role: MembershipFactory(territory=territory, role=column).user
        for role, column in ROLES.items()
    }
    capteur = CapteurFactory(
        territory=territory, partner=True, referent=users["referent_facilitator"]
    )
    visit = VisitFactory(
        capteur=capteur,
        facilitator=users["referent_facilitator"],
        planned_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    return World(users, capteur, visit)


def request(api, world, call):
    kwargs = {"visit_id": world.visit.id} if call.on_visit else {}
    data = call.data(world) if callable(call.data) else call.data
    return getattr(api, call.method)(reverse(call.name, kwargs=kwargs), data)


def state():
    """Everything a visits action may change."""
    return (
        list(Visit.objects.order_by("id").values()),
        VisitEvent.objects.count(),
        list(Capteur.objects.order_by("id").values()),
        StageChange.objects.count(),
        list(CalendarFeed.objects.values()),
    )


@pytest.mark.parametrize(("role", "call", "may"), list(walk(TABLE, ROLES, allowed)))
def test_each_role_may_do_what_the_table_says(api, world, role, call, may):
    # given a member of the visit's territory
    api.force_authenticate(world.users[role])
    before = state()

    # when
    response = request(api, world, call)

    # then
    assert_answer(response, may=may, ok=call.ok, unchanged=lambda: state() == before)


def test_the_table_is_the_one_documented():
    assert_documented(TABLE, module_doc=perms.__doc__, readme_heading="### Visits")


def test_every_visits_endpoint_is_an_action_of_the_table():
    assert_every_endpoint_walked(TABLE, urls.urlpatterns)


def test_a_facilitator_who_is_not_the_referent_cannot_withdraw_a_capteur_on_a_visit(api, world):
    api.force_authenticate(world.users["other_facilitator"])

    response = api.post(
        reverse("visit-done", kwargs={"visit_id": world.visit.id}), {"capteur_stage": "withdrawn"}
    )

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Seuls le facilitateur référent du capteur et les coordinateurs du territoire "
        "peuvent le retirer du réseau."
    )
    world.visit.refresh_from_db()
    assert world.visit.status == "planned"


def test_a_facilitator_acts_on_a_colleagues_visit(api, world):
    api.force_authenticate(world.users["other_facilitator"])

    response = api.post(reverse("visit-done", kwargs={"visit_id": world.visit.id}))

    assert response.status_code == 200
    assert VisitEvent.objects.get().actor == world.users["other_facilitator"]


PREDICATES = [
    function
    for name, function in inspect.getmembers(perms, inspect.isfunction)
    if name.startswith("can_")
]


@pytest.mark.parametrize("predicate", PREDICATES, ids=lambda function: function.__name__)
def test_predicates_say_no_to_whoever_is_no_member_of_the_territory(
    world, other_territory, predicate
):
    """Scoping keeps them away first; the predicates would refuse them on their own too."""
    objects = {Capteur: world.capteur, Visit: world.visit}
    obj = objects[list(inspect.signature(predicate).parameters.values())[1].annotation]
    member_elsewhere = MembershipFactory(territory=other_territory, coordinator=True).user
    deactivated = MembershipFactory(
        territory=world.capteur.territory, coordinator=True, user=UserFactory(is_active=False)
    ).user

    assert predicate(world.users["coordinator"], obj)
    assert not predicate(member_elsewhere, obj)
    assert not predicate(deactivated, obj)
    assert not predicate(UserFactory(), obj)
