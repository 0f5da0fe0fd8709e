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
from tests.perms_table import Row, assert_documented, assert_every_endpoint_walked, walk, yes_or_no

pytestmark = pytest.mark.django_db

ROLES = ["facilitator", "coordinator"]


class Call(NamedTuple):
    name: str
    on_capteur: bool = False
    method: str = "get"  # every dashboard endpoint is a read


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


@pytest.mark.parametrize(
    ("role", "call", "may"),
    list(walk(TABLE, ROLES, lambda row, role: yes_or_no(getattr(row, role)))),
)
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
    assert_documented(TABLE, module_doc=perms.__doc__, readme_heading="### Dashboard and exports")


def test_every_dashboard_endpoint_is_an_action_of_the_table():
    assert_every_endpoint_walked(TABLE, urls.urlpatterns)


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
