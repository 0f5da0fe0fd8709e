"""Walks the table of backend/structures/perms.py through the HTTP API: every action, by every
role of the territory, answers what the table says, and a refusal changes nothing.

TABLE is the table of the perms module's docstring and of README.md, row by row (a test keeps
the three the same), each row with the requests it stands for. A new structures endpoint
fails `test_every_structures_endpoint_is_an_action_of_the_table` until it is given a row.
Another territory's objects (404) are walked by tests/core/test_territory_scoping.py.
"""

import inspect
from typing import Any, NamedTuple

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backend.accounts.models import Territory
from backend.structures import perms, urls
from backend.structures.models import Structure, StructureContact
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.perms_table import (
    Row,
    assert_answer,
    assert_documented,
    assert_every_endpoint_walked,
    walk,
)
from tests.structures.factories import StructureContactFactory, StructureFactory

pytestmark = pytest.mark.django_db

ROLES = ["facilitator", "coordinator"]

CSV = (
    b"nom;type;besoins;commune;identifiant\r\n"
    b"CCAS de Mourenx;ccas;logement | budget;Mourenx;ccas-mourenx\r\n"
    b"Mission locale d'Orthez;Mission locale;Emploi;Orthez;ml-orthez\r\n"
)


class Call(NamedTuple):
    """One request standing for an action."""

    name: str  # of the URL
    method: str
    ok: int = 200  # the status when allowed
    on: str | None = "structure"  # the object the URL names: "structure", "deactivated"
    data: Any = None  # a dict, or a function of the territory giving one
    label: str = ""  # tells apart two calls of one endpoint in test ids
    format: str = "json"


TABLE = [
    Row(
        "see structures",
        "yes",
        "yes",
        [Call("structure-list", "get", on=None), Call("structure-detail", "get")],
    ),
    Row(
        "create a structure",
        "yes",
        "yes",
        [
            Call(
                "structure-list",
                "post",
                201,
                on=None,
                data=lambda territory: {
                    "territory": territory.id,
                    "name": "Épicerie solidaire de Monein",
                    "kind": "association",
                    "needs": ["budget"],
                },
            )
        ],
    ),
    Row(
        "edit a structure (or reactivate it)",
        "yes",
        "yes",
        [
            Call("structure-detail", "patch", data={"opening_hours": "Lun. 9 h-12 h"}),
            Call(
                "structure-detail",
                "patch",
                on="deactivated",
                data={"is_active": True},
                label="reactivate",
            ),
        ],
    ),
    Row(
        "deactivate a structure",
        "yes",
        "yes",
        [
            Call("structure-detail", "delete", 204),
            Call("structure-detail", "patch", data={"is_active": False}, label="deactivate"),
        ],
    ),
    Row(
        "import structures in bulk (CSV, data·inclusion)",
        "no",
        "yes",
        [
            Call(
                "structure-import",
                "post",
                on=None,
                data=lambda territory: {
                    "file": SimpleUploadedFile("structures.csv", CSV),
                    "format": "csv",
                    "territory": territory.id,
                },
                format="multipart",
            )
        ],
    ),
]


def allowed(row: Row, role: str) -> bool:
    """What `row` says of `role`."""
    cell = getattr(row, role)
    assert cell in ("yes", "no"), f"unknown cell {cell!r}"
    return cell == "yes"


@pytest.fixture
def objects(territory):
    structure = StructureFactory(territory=territory, ccas=True)
    StructureContactFactory(structure=structure)
    return {
        "structure": structure,
        "deactivated": StructureFactory(territory=territory, deactivated=True),
    }


def state():
    """Everything a structures action may change."""
    return (
        list(Structure.objects.order_by("id").values()),
        list(StructureContact.objects.order_by("id").values()),
    )


@pytest.mark.parametrize(("role", "call", "may"), list(walk(TABLE, ROLES, allowed)))
def test_each_role_may_do_what_the_table_says(api, territory, objects, role, call, may):
    # given a member of the territory
    api.force_authenticate(MembershipFactory(territory=territory, role=role).user)
    kwargs = {"structure_id": objects[call.on].id} if call.on else {}
    data = call.data(territory) if callable(call.data) else call.data
    before = state()

    # when
    response = getattr(api, call.method)(
        reverse(call.name, kwargs=kwargs), data, format=call.format
    )

    # then
    assert_answer(response, may=may, ok=call.ok, unchanged=lambda: state() == before)


def test_the_table_is_the_one_documented():
    assert_documented(TABLE, module_doc=perms.__doc__, readme_heading="### Structures")


def test_every_structures_endpoint_is_an_action_of_the_table():
    assert_every_endpoint_walked(TABLE, urls.urlpatterns)


def test_a_facilitator_cannot_import_structures(api, territory):
    # given a facilitator of the territory
    api.force_authenticate(MembershipFactory(territory=territory, facilitator=True).user)

    # when they upload a good file
    response = api.post(
        reverse("structure-import"),
        {
            "file": SimpleUploadedFile("structures.csv", CSV),
            "format": "csv",
            "territory": territory.id,
        },
        format="multipart",
    )

    # then it is refused in French, and nothing is imported
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Seuls les coordinateurs du territoire peuvent importer des structures."
    )
    assert not Structure.objects.exists()


def test_a_coordinator_imports_into_their_territory_only(api, territory, other_territory):
    # given a coordinator here who is a facilitator there
    user = MembershipFactory(territory=territory, coordinator=True).user
    MembershipFactory(user=user, territory=other_territory, facilitator=True)
    api.force_authenticate(user)

    # when they import the same file into each
    def upload(into):
        return api.post(
            reverse("structure-import"),
            {"file": SimpleUploadedFile("s.csv", CSV), "format": "csv", "territory": into.id},
            format="multipart",
        )

    here, there = upload(territory), upload(other_territory)

    # then their role in each territory decides
    assert (here.status_code, there.status_code) == (200, 403)
    assert here.json() == {"created": 2, "updated": 0, "rejected": []}
    assert Structure.objects.filter(territory=other_territory).count() == 0


PREDICATES = [
    function
    for name, function in inspect.getmembers(perms, inspect.isfunction)
    if name.startswith("can_")
]


@pytest.mark.parametrize("predicate", PREDICATES, ids=lambda function: function.__name__)
def test_predicates_say_no_to_whoever_is_no_member_of_the_territory(
    territory, other_territory, objects, predicate
):
    """Scoping keeps them away first; the predicates would refuse them on their own too."""
    by_type = {Structure: objects["structure"], Territory: territory}
    obj = by_type[list(inspect.signature(predicate).parameters.values())[1].annotation]
    coordinator = MembershipFactory(territory=territory, coordinator=True).user
    member_elsewhere = MembershipFactory(territory=other_territory, coordinator=True).user
    deactivated = MembershipFactory(
        territory=territory, coordinator=True, user=UserFactory(is_active=False)
    ).user

    assert predicate(coordinator, obj)
    assert not predicate(member_elsewhere, obj)
    assert not predicate(deactivated, obj)
    assert not predicate(UserFactory(), obj)
