"""The facilitators' load: whom a coordinator (or a facilitator) gives a referral to."""

import pytest
from django.urls import reverse

from tests.accounts.factories import MembershipFactory, UserFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_the_load_counts_each_facilitators_open_and_overdue_referrals(
    coordinator_api, territory, other_territory
):
    # given two facilitators of the territory, one away, and one of another territory
    busy = MembershipFactory(
        territory=territory, user__first_name="Camille", user__last_name="Laborde"
    ).user
    away = MembershipFactory(
        territory=territory, unavailable=True, user__first_name="Jon", user__last_name="Arrieta"
    )
    ReferralFactory(capteur__territory=territory, assigned_to=busy, overdue=True)
    ReferralFactory(capteur__territory=territory, assigned_to=busy, contacted=True)
    ReferralFactory(capteur__territory=territory, assigned_to=busy, closed=True)
    elsewhere = MembershipFactory(territory=other_territory).user
    ReferralFactory(capteur__territory=other_territory, assigned_to=elsewhere)
    MembershipFactory(territory=territory, user=UserFactory(is_active=False))

    # when the coordinator asks for the load
    rows = coordinator_api.get(reverse("referral-facilitators")).json()

    # then the territory's active facilitators only, by name, closed referrals not counted
    assert [(r["full_name"], r["open_referrals"], r["overdue"], r["available"]) for r in rows] == [
        ("Jon Arrieta", 0, 0, False),
        ("Camille Laborde", 2, 1, True),
    ]
    assert rows[0]["unavailable_until"] == away.unavailable_until.isoformat()
    assert rows[1]["id"] == busy.id
    assert rows[1]["territory_name"] == territory.name


def test_the_load_is_one_query_whatever_the_number_of_facilitators(
    coordinator_api, territory, django_assert_max_real_queries
):
    for _ in range(5):
        facilitator = MembershipFactory(territory=territory).user
        ReferralFactory(capteur__territory=territory, assigned_to=facilitator)

    with django_assert_max_real_queries(4):  # session, user, memberships (roles), the load
        response = coordinator_api.get(reverse("referral-facilitators"))

    assert len(response.json()) == 5


def test_a_territory_in_the_query_narrows_the_load(api, territory, other_territory):
    member_of_both = MembershipFactory(territory=territory, coordinator=True).user
    MembershipFactory(territory=other_territory, user=member_of_both, coordinator=True)
    ours = MembershipFactory(territory=territory).user
    MembershipFactory(territory=other_territory)
    api.force_authenticate(member_of_both)

    rows = api.get(reverse("referral-facilitators"), {"territory": territory.id}).json()

    assert [row["id"] for row in rows] == [ours.id]
