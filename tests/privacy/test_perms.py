"""Walks the table of backend/privacy/perms.py through the HTTP API: every action, by every
role of the territory, answers what the table says.

TABLE is the table of the perms module's docstring and of README.md, row by row (a test keeps
the three the same), each row with the requests it stands for. A new privacy endpoint fails
`test_every_privacy_endpoint_is_an_action_of_the_table` until it is given a row. Another
territory's requests (404) are walked by tests/core/test_territory_scoping.py.
"""

import inspect
from typing import Any, NamedTuple

import pytest
from django.urls import reverse

from backend.accounts.models import Territory
from backend.privacy import perms, urls
from backend.privacy.models import PrivacyRequest
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.perms_table import Row, assert_documented, assert_every_endpoint_walked, walk
from tests.privacy.factories import PERSON_PHONE, PrivacyRequestFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

ROLES = ["facilitator", "coordinator"]


class Call(NamedTuple):
    name: str  # of the URL
    method: str
    ok: int = 200  # the status when allowed
    on_search: bool = True  # the URL names a search
    data: Any = None


TABLE = [
    Row(
        "find what Relais holds on a person, by phone or e-mail",
        "yes",
        "yes",
        [Call("privacy-request-list", "post", 201, on_search=False, data={"phone": PERSON_PHONE})],
    ),
    Row(
        "export it for the person (JSON, or a page to print)",
        "yes",
        "yes",
        [Call("privacy-request-export", "get"), Call("privacy-request-export-html", "get")],
    ),
    Row(
        "erase it (anonymise every referral found, irreversibly)",
        "yes",
        "yes",
        [Call("privacy-request-erase", "post")],
    ),
]


def allowed(row: Row, role: str) -> bool:
    cell = getattr(row, role)
    assert cell in ("yes", "no"), f"unknown cell {cell!r}"
    return cell == "yes"


@pytest.mark.parametrize(("role", "call", "may"), list(walk(TABLE, ROLES, allowed)))
def test_each_role_may_do_what_the_table_says(api, territory, role, call, may):
    # given a member of the territory, and a search for a person with one referral
    user = MembershipFactory(territory=territory, role=role).user
    referral = ReferralFactory(capteur__territory=territory, phone=PERSON_PHONE)
    search = PrivacyRequestFactory(territory=territory, referral_ids=[referral.id])
    api.force_authenticate(user)
    before = PrivacyRequest.objects.count()

    # when
    kwargs = {"request_id": search.id} if call.on_search else {}
    response = getattr(api, call.method)(reverse(call.name, kwargs=kwargs), call.data)

    # then
    if may:
        assert response.status_code == call.ok, response.content
        assert PrivacyRequest.objects.count() == before + 1  # every step is in the trail
    else:
        assert response.status_code == 403, response.content
        assert PrivacyRequest.objects.count() == before


def test_the_table_is_the_one_documented():
    assert_documented(TABLE, module_doc=perms.__doc__, readme_heading="### Privacy")


def test_every_privacy_endpoint_is_an_action_of_the_table():
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
    search = PrivacyRequestFactory(territory=territory)
    objects = {Territory: territory, PrivacyRequest: search}
    obj = objects[list(inspect.signature(predicate).parameters.values())[1].annotation]
    member = MembershipFactory(territory=territory, coordinator=True).user
    member_elsewhere = MembershipFactory(territory=other_territory, coordinator=True).user
    deactivated = MembershipFactory(territory=territory, user=UserFactory(is_active=False)).user

    assert predicate(member, obj)
    assert not predicate(member_elsewhere, obj)
    assert not predicate(deactivated, obj)
    assert not predicate(UserFactory(), obj)
