"""Walks the table of backend/dashboard/perms.py through the HTTP API: every action, by every
role of the territory, answers what the table says.

TABLE is the table of the perms module's docstring and of README.md, row by row (a test keeps
the three the same), each row with the requests it stands for. A new dashboard endpoint fails
`test_every_dashboard_endpoint_is_an_action_of_the_table` until it is given a row. Another
territory (404) is walked by tests/core/test_territory_scoping.py.
"""

import inspect
from typing import NamedTuple

import pytest
from django.urls import reverse

from backend.accounts.models import Territory
from backend.capteurs.models import Capteur
from backend.dashboard import perms, urls
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.capteurs.factories import CapteurFactory
from tests.conftest import markdown_table, readme

pytestmark = pytest.mark.django_db

ROLES = ["facilitator", "coordinator"]


class Call(NamedTuple):
    name: str
    on_capteur: bool = False


class Row(NamedTuple):
    action: str
    facilitator: str
    coordinator: str
    calls: list[Call]


HEADER = ("action", "facilitator", "coordinator")
TABLE = [
    Row(
        "see a territory's dashboard: counts, trends, map, top and silent capteurs, codes",
        "yes",
        "yes",
        [
            Call("dashboard-summary"),
            Call("dashboard-referrals-per-week"),
            Call("dashboard-funnel"),
            Call("dashboard-by-capteur-kind"),
            Call("dashboard-top-capteurs"),
            Call("dashboard-silent-capteurs"),
            Call("dashboard-codes"),
            Call("dashboard-map"),
        ],
    ),
    Row(
        "see a capteur's month-by-month history",
        "yes",
        "yes",
        [Call("capteur-history", on_capteur=True)],
    ),
    Row(
        "download the funder indicators (CSV, XLSX)",
        "no",
        "yes",
        [Call("export-indicators-csv"), Call("export-indicators-xlsx")],
    ),
    Row(
        "download the pseudonymised list of referrals (CSV)",
        "no",
        "yes",
        [Call("export-referrals-csv")],
    ),
]


def walk():
    for row in TABLE:
        for role in ROLES:
            for call in row.calls:
                yield pytest.param(
                    role, call, getattr(row, role) == "yes", id=f"{call.name}-by-{role}"
                )


@pytest.mark.parametrize(("role", "call", "may"), list(walk()))
def test_each_role_may_do_what_the_table_says(api, territory, role, call, may):
    # given a member of the territory
    api.force_authenticate(MembershipFactory(territory=territory, role=role).user)
    capteur = CapteurFactory(territory=territory, partner=True)

    # when, naming the territory (the capteur names it for the history)
    if call.on_capteur:
        response = api.get(reverse(call.name, kwargs={"capteur_id": capteur.id}))
    else:
        response = api.get(reverse(call.name), {"territory": territory.id})
    if response.streaming:
        b"".join(response.streaming_content)

    # then
    if may:
        assert response.status_code == 200, response
    else:
        assert response.status_code == 403
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == (
            "Seuls les coordinateurs du territoire peuvent télécharger les exports."
        )


@pytest.mark.parametrize("name", ["export-indicators-csv", "export-referrals-csv"])
def test_a_facilitator_without_a_territory_named_may_not_export_either(facilitator_api, name):
    assert facilitator_api.get(reverse(name)).status_code == 403


def test_the_table_is_the_one_documented():
    documented = [HEADER, *((row.action, row.facilitator, row.coordinator) for row in TABLE)]

    assert markdown_table(perms.__doc__) == documented
    assert markdown_table(readme(), under="### Dashboard and exports") == documented


def test_every_dashboard_endpoint_is_an_action_of_the_table():
    endpoints = {
        (pattern.name, method)
        for pattern in urls.urlpatterns
        for method in ("get", "post", "put", "patch", "delete")
        if hasattr(pattern.callback.view_class, method)
    }
    walked = {(call.name, "get") for row in TABLE for call in row.calls}

    assert walked == endpoints


PREDICATES = [
    function
    for name, function in inspect.getmembers(perms, inspect.isfunction)
    if name.startswith("can_")
]


@pytest.mark.parametrize("predicate", PREDICATES, ids=lambda function: function.__name__)
def test_predicates_say_no_to_whoever_is_no_member_of_the_territory(
    territory, other_territory, predicate
):
    capteur = CapteurFactory(territory=territory)
    objects = {Capteur: capteur, Territory: territory}
    obj = objects[list(inspect.signature(predicate).parameters.values())[1].annotation]
    coordinator = MembershipFactory(territory=territory, coordinator=True).user
    member_elsewhere = MembershipFactory(territory=other_territory, coordinator=True).user
    deactivated = MembershipFactory(
        territory=territory, coordinator=True, user=UserFactory(is_active=False)
    ).user

    assert predicate(coordinator, obj)
    assert not predicate(member_elsewhere, obj)
    assert not predicate(deactivated, obj)
    assert not predicate(UserFactory(), obj)
