"""Walks the table of backend/capteurs/perms.py through the HTTP API: every action, by every
role of the capteur's territory, answers what the table says, and a refusal changes nothing.

TABLE is the table of the perms module's docstring and of README.md, row by row (a test keeps
the three the same), each row with the requests it stands for. A new capteurs endpoint
fails `test_every_capteurs_endpoint_is_an_action_of_the_table` until it is given a row.
Another territory's objects (404) are walked by tests/core/test_territory_scoping.py.
"""

import inspect
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from django.urls import reverse

from backend.accounts.models import Territory
from backend.capteurs import perms, urls
from backend.capteurs.models import Capteur, ReferralCode, StageChange
from backend.capteurs.services import capteur_space_issue
from backend.notifications.models import Notification
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.perms_table import (
    Row,
    assert_answer,
    assert_documented,
    assert_every_endpoint_walked,
    walk,
)

pytestmark = pytest.mark.django_db

# The roles a member of the capteur's territory can hold, and the column that rules each.
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
    on: str | None = "capteur"  # the object the URL names: "capteur", "code", "withdrawn"
    data: Any = None  # a dict, or a function of the World giving one
    label: str = ""  # tells apart two calls of one endpoint in test ids


TABLE = [
    Row(
        "see capteurs, their codes and prints (QR codes, posters, stickers)",
        "yes",
        "yes",
        [
            Call("capteur-list", "get", on=None),
            Call("capteur-detail", "get"),
            Call("capteur-stage-changes", "get"),
            Call("capteur-codes", "get"),
            Call("code-detail", "get", on="code"),
            Call("code-qr-svg", "get", on="code"),
            Call("code-qr-png", "get", on="code"),
            Call("code-poster", "get", on="code"),
            Call("code-stickers", "get", on="code"),
        ],
    ),
    Row(
        "register a capteur",
        "yes",
        "yes",
        [
            Call(
                "capteur-list",
                "post",
                201,
                on=None,
                data=lambda world: {
                    "territory": world.territory.id,
                    "name": "Agence Intérim Plus",
                    "kind": "agence_interim",
                    "city": "Mourenx",
                },
            )
        ],
    ),
    Row(
        "edit a capteur",
        "yes",
        "yes",
        [Call("capteur-detail", "patch", data={"notes": "Ouvert le dimanche"}, label="edit")],
    ),
    Row(
        "change a capteur's référent",
        "yes",
        "yes",
        [
            Call(
                "capteur-detail",
                "patch",
                data=lambda world: {"referent": world.users["other_facilitator"].id},
                label="referent",
            )
        ],
    ),
    Row(
        "move a capteur's stage (prospect, partner, paused, back from withdrawn)",
        "yes",
        "yes",
        [
            Call("capteur-stage", "post", data={"stage": "paused"}, label="pause"),
            Call(
                "capteur-stage",
                "post",
                on="withdrawn",
                data={"stage": "prospect"},
                label="bring-back",
            ),
        ],
    ),
    Row(
        "withdraw a capteur (revokes all its codes and its space, irreversibly)",
        "if référent",
        "yes",
        [Call("capteur-stage", "post", data={"stage": "withdrawn"}, label="withdraw")],
    ),
    Row(
        "issue a code",
        "yes",
        "yes",
        [Call("capteur-codes", "post", 201, data={"label": "Vitrine"})],
    ),
    Row(
        "revoke or reissue a code (a lost or defaced poster)",
        "yes",
        "yes",
        [
            Call("code-revoke", "post", on="code", data={"reissue": False}, label="revoke"),
            Call("code-revoke", "post", on="code", data={"reissue": True}, label="reissue"),
        ],
    ),
    Row(
        "issue, revoke, send (SMS, e-mail), show (QR) or print (welcome sheet) the space link",
        "yes",
        "yes",
        [
            Call("capteur-space", "post"),
            Call("capteur-space", "delete"),
            Call("capteur-space-send", "post", 202),
            Call("capteur-space-qr-svg", "get"),
            Call("capteur-space-welcome", "get"),
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
    facilitator) with a code and an open space, and a withdrawn capteur."""

    territory: Territory
    users: dict
    capteur: Capteur
    code: ReferralCode
    withdrawn: Capteur


@pytest.fixture
def world(territory):
    users = {
        role: MembershipFactory(territory=territory, role=column).user
        for role, column in ROLES.items()
    }
    capteur = CapteurFactory(
        territory=territory, partner=True, referent=users["referent_facilitator"]
    )
    code = ReferralCodeFactory(capteur=capteur)
    capteur_space_issue(capteur=capteur, actor=None)
    withdrawn = CapteurFactory(
        territory=territory, withdrawn=True, referent=users["referent_facilitator"]
    )
    return World(territory, users, capteur, code, withdrawn)


def request(api, world, call):
    kwargs = {}
    if call.on == "code":
        kwargs = {"code_id": world.code.id}
    elif call.on:
        kwargs = {"capteur_id": getattr(world, call.on).id}
    data = call.data(world) if callable(call.data) else call.data
    return getattr(api, call.method)(reverse(call.name, kwargs=kwargs), data)


def state():
    """Everything a capteurs action may change."""
    return (
        list(Capteur.objects.order_by("id").values()),
        list(ReferralCode.objects.order_by("id").values()),
        StageChange.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.parametrize(("role", "call", "may"), list(walk(TABLE, ROLES, allowed)))
def test_each_role_may_do_what_the_table_says(api, world, role, call, may):
    # given a member of the capteur's territory
    api.force_authenticate(world.users[role])
    before = state()

    # when
    response = request(api, world, call)

    # then
    assert_answer(response, may=may, ok=call.ok, unchanged=lambda: state() == before)


def test_the_table_is_the_one_documented():
    assert_documented(TABLE, module_doc=perms.__doc__, readme_heading="### Capteurs")


def test_every_capteurs_endpoint_is_an_action_of_the_table():
    assert_every_endpoint_walked(TABLE, urls.urlpatterns)


def test_a_facilitator_who_is_not_the_referent_cannot_withdraw_a_capteur(api, world):
    # given a partner with an active code and an open space
    api.force_authenticate(world.users["other_facilitator"])

    # when another facilitator of the territory withdraws it
    response = api.post(
        reverse("capteur-stage", kwargs={"capteur_id": world.capteur.id}), {"stage": "withdrawn"}
    )

    # then it is refused in French, and the capteur still works
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Seuls le facilitateur référent du capteur et les coordinateurs du territoire "
        "peuvent le retirer du réseau."
    )
    world.capteur.refresh_from_db()
    world.code.refresh_from_db()
    assert world.capteur.stage == "partner"
    assert world.capteur.space_secret
    assert world.code.is_active


def test_roles_are_per_territory(api, world, other_territory):
    # given a facilitator (not référent) here who coordinates another territory
    user = world.users["other_facilitator"]
    MembershipFactory(user=user, territory=other_territory, coordinator=True)
    theirs = CapteurFactory(territory=other_territory, partner=True)
    api.force_authenticate(user)

    # when they withdraw a capteur of each
    here = api.post(
        reverse("capteur-stage", kwargs={"capteur_id": world.capteur.id}), {"stage": "withdrawn"}
    )
    there = api.post(
        reverse("capteur-stage", kwargs={"capteur_id": theirs.id}), {"stage": "withdrawn"}
    )

    # then their role in each territory decides
    assert (here.status_code, there.status_code) == (403, 200)


def test_a_referent_who_left_the_territory_may_not_withdraw_its_capteur(world):
    referent = world.users["referent_facilitator"]
    referent.memberships.all().delete()

    assert world.capteur.referent == referent
    assert not perms.can_withdraw_capteur(referent, world.capteur)


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
    objects = {Capteur: world.capteur, ReferralCode: world.code, Territory: world.territory}
    obj = objects[list(inspect.signature(predicate).parameters.values())[1].annotation]
    member_elsewhere = MembershipFactory(territory=other_territory, coordinator=True).user
    deactivated = MembershipFactory(
        territory=world.territory, coordinator=True, user=UserFactory(is_active=False)
    ).user

    assert predicate(world.users["coordinator"], obj)
    assert not predicate(member_elsewhere, obj)
    assert not predicate(deactivated, obj)
    assert not predicate(UserFactory(), obj)
