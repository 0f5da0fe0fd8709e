"""Walks the table of backend/referrals/perms.py through the HTTP API: every action, by every
role of the territory, answers what the table says, and a refusal changes nothing.

TABLE is the table of the perms module's docstring and of README.md, row by row (a test keeps
the three the same), each row with the requests it stands for. A new referrals endpoint fails
`test_every_referrals_endpoint_is_an_action_of_the_table` until it is given a row. Another
territory's objects (404) are walked by tests/core/test_territory_scoping.py; the public
intake (no login, no role) by tests/referrals/test_intake_api.py.
"""

from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest
from django.urls import reverse

from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.models import Notification
from backend.referrals import perms, urls
from backend.referrals.enums import ReferralTemplate
from backend.referrals.models import ContactAttempt, Orientation, Referral, ReferralEvent
from tests.accounts.factories import MembershipFactory
from tests.perms_table import (
    Row,
    assert_answer,
    assert_documented,
    assert_every_endpoint_walked,
    walk,
    yes_or_no,
)
from tests.referrals.factories import ReferralFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

ROLES = ["facilitator", "coordinator"]


class Call(NamedTuple):
    """One request standing for an action."""

    name: str  # of the URL
    method: str
    ok: int = 200  # the status when allowed
    on: str = "referral"  # the URL names: "referral", "orientation", "capteur" or nothing ""
    data: Any = None  # a dict, or a function of the World giving one
    label: str = ""  # tells apart two calls of one endpoint in test ids
    # "status": refused is a 403; "personal data": refused is a 200 without the person's data.
    refusal: str = "status"


TABLE = [
    Row(
        "see referrals, their timeline and orientations, pseudonymised",
        "yes",
        "yes",
        [
            Call("referral-list", "get", on=""),
            Call("referral-detail", "get"),
            Call("referral-events", "get"),
            Call("referral-orientations", "get"),
            Call("capteur-summaries", "get", on="capteur"),
        ],
    ),
    Row(
        "see the person's first name, phone, email and note, and staff notes",
        "yes",
        "no",
        [Call("referral-detail", "get", label="personal-data", refusal="personal data")],
    ),
    Row(
        "log a contact attempt, move the status, write a note",
        "yes",
        "no",
        [
            Call("referral-attempts", "post", 201, data={"kind": "call", "outcome": "no_answer"}),
            Call(
                "referral-status", "post", data={"status": "closed", "closing_reason": "declined"}
            ),
            Call("referral-notes", "post", 201, data={"text": "Rappeler mardi."}),
        ],
    ),
    Row(
        "orient to a structure, record what came of an orientation",
        "yes",
        "no",
        [
            Call(
                "referral-orientations",
                "post",
                201,
                data=lambda world: {"structure": world.structure.id},
            ),
            Call("orientation-detail", "patch", on="orientation", data={"outcome": "accepted"}),
        ],
    ),
    Row(
        "correct the person's phone or email, resend a failed acknowledgment",
        "yes",
        "no",
        [
            Call("referral-contact", "patch", data={"email": "lea@example.org"}),
            Call("referral-acknowledgment-resend", "post", 202),
        ],
    ),
    Row(
        "reassign a referral to another facilitator of the territory",
        "yes",
        "yes",
        [
            Call(
                "referral-reassign",
                "post",
                data=lambda world: {"assigned_to": world.colleague.id},
            )
        ],
    ),
    Row(
        "see the territory's facilitators, their open and overdue referrals, who is away",
        "yes",
        "yes",
        [Call("referral-facilitators", "get", on="")],
    ),
]


@dataclass
class World:
    """A territory with a facilitator, a colleague and a coordinator; a met referral of
    the facilitator's, oriented once, whose acknowledgment SMS failed; a structure."""

    users: dict
    colleague: Any
    referral: Referral
    orientation: Orientation
    structure: Any


@pytest.fixture
def world(territory):
    users = {role: MembershipFactory(territory=territory, role=role).user for role in ROLES}
    colleague = MembershipFactory(territory=territory, facilitator=True).user
    referral = ReferralFactory(
        capteur__territory=territory,
        assigned_to=users["facilitator"],
        first_name="Léa",
        met=True,
    )
    structure = StructureFactory(territory=territory)
    orientation = Orientation.objects.create(
        referral=referral, structure=StructureFactory(territory=territory)
    )
    Notification.objects.create(
        referral=referral,
        territory=territory,
        channel=Channel.SMS,
        template=ReferralTemplate.PERSON_ACKNOWLEDGMENT,
        recipient=str(referral.phone),
        body="Bonjour, c'est Relais.",
        status=NotificationStatus.FAILED,
    )
    return World(users, colleague, referral, orientation, structure)


def request(api, world, call):
    kwargs = {
        "referral": {"referral_id": world.referral.id},
        "orientation": {"orientation_id": world.orientation.id},
        "capteur": {"capteur_id": world.referral.capteur_id},
        "": {},
    }[call.on]
    data = call.data(world) if callable(call.data) else call.data
    return getattr(api, call.method)(reverse(call.name, kwargs=kwargs), data, format="json")


def state():
    """Everything a referrals action may change."""
    return (
        list(Referral.objects.order_by("id").values()),
        ReferralEvent.objects.count(),
        ContactAttempt.objects.count(),
        list(Orientation.objects.order_by("id").values()),
        Notification.objects.count(),
    )


@pytest.mark.parametrize(
    ("role", "call", "may"),
    list(walk(TABLE, ROLES, lambda row, role: yes_or_no(getattr(row, role)))),
)
def test_each_role_may_do_what_the_table_says(api, world, role, call, may):
    # given a member of the referral's territory
    api.force_authenticate(world.users[role])
    before = state()

    # when
    response = request(api, world, call)

    # then
    if call.refusal == "personal data":
        assert response.status_code == 200
        assert response.json()["first_name"] == ("Léa" if may else None)
    else:
        assert_answer(response, may=may, ok=call.ok, unchanged=lambda: state() == before)


def test_the_table_is_the_one_documented():
    assert_documented(TABLE, module_doc=perms.__doc__, readme_heading="### Referrals")


def test_every_referrals_endpoint_is_an_action_of_the_table():
    staff_patterns = [p for p in urls.urlpatterns if p.name != "referral-intake"]

    assert_every_endpoint_walked(TABLE, staff_patterns)
