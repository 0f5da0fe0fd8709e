"""A session's roles are read once per API request, and again at the next one: a facilitator
removed from a territory (or given a second factor) is treated as such from their next
request, never from a stale copy."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.accounts.factories import MembershipFactory, TOTPDeviceFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def memberships_read(context) -> int:
    return sum('FROM "accounts_membership"' in query["sql"] for query in context)


def test_the_roles_are_read_once_a_request_and_again_the_next(territory):
    membership = MembershipFactory(territory=territory)
    ReferralFactory(territory=territory, assigned_to=membership.user)
    client = Client()
    client.force_login(membership.user)

    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("referral-list")).status_code == 200
    assert memberships_read(context) == 1

    membership.delete()

    assert client.get(reverse("referral-list")).status_code == 403


def test_a_second_factor_added_elsewhere_is_asked_at_the_next_request(territory):
    membership = MembershipFactory(territory=territory)
    client = Client()
    client.force_login(membership.user)
    assert client.get(reverse("referral-list")).status_code == 200

    TOTPDeviceFactory(user=membership.user)

    response = client.get(reverse("referral-list"))
    assert response.status_code == 403
    assert response.json()["code"] == "otp_required"
