"""The roles every perms predicate reads: one query per request, then none."""

import pytest
from django.contrib.auth.models import AnonymousUser

from backend.accounts.enums import Role
from backend.accounts.perms import is_staff_member, territory_role, territory_roles
from backend.capteurs.perms import can_withdraw_capteur
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.capteurs.factories import CapteurFactory

pytestmark = pytest.mark.django_db


def test_a_users_roles_cost_one_query_then_none(
    territory, other_territory, django_assert_num_queries
):
    user = MembershipFactory(territory=territory, facilitator=True).user
    MembershipFactory(user=user, territory=other_territory, coordinator=True)
    capteurs = CapteurFactory.create_batch(5, territory=territory)

    with django_assert_num_queries(1):
        assert territory_roles(user) == {
            territory.id: Role.FACILITATOR,
            other_territory.id: Role.COORDINATOR,
        }
        assert [can_withdraw_capteur(user, capteur) for capteur in capteurs] == [False] * 5


def test_the_api_membership_check_reads_the_roles_afresh(territory, django_assert_num_queries):
    # given roles already read, then changed (the same user object across two API requests)
    membership = MembershipFactory(territory=territory, facilitator=True)
    user = membership.user
    assert territory_role(user, territory.id) == Role.FACILITATOR
    membership.role = Role.COORDINATOR
    membership.save()

    # when the next request checks membership
    with django_assert_num_queries(1):
        assert is_staff_member(user)

    # then the predicates read the new role, with no more query
    with django_assert_num_queries(0):
        assert territory_role(user, territory.id) == Role.COORDINATOR


def test_anonymous_and_deactivated_users_have_no_role(territory, django_assert_num_queries):
    deactivated = MembershipFactory(territory=territory, user=UserFactory(is_active=False)).user

    with django_assert_num_queries(0):
        assert territory_roles(AnonymousUser()) == {}
        assert territory_roles(deactivated) == {}
        assert not is_staff_member(deactivated)
