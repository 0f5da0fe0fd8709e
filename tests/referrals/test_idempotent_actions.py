"""Triage actions replayed with their Idempotency-Key (the PWA's offline outbox): each is
written once, the replay gets the first answer; a conflict on replay is still a conflict."""

import pytest

from backend.referrals.models import ContactAttempt, Orientation, ReferralEvent
from tests.accounts.factories import MembershipFactory
from tests.referrals.factories import ReferralFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

KEY = "0b6a9a8e-6d53-4d2e-8c1b-3c6f3b1f2a90"


@pytest.fixture
def referral(territory, facilitator):
    return ReferralFactory(capteur__territory=territory, assigned_to=facilitator)


def send_twice(api, url, data):
    first = api.post(url, data, HTTP_IDEMPOTENCY_KEY=KEY)
    again = api.post(url, data, HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code in (200, 201), first.json()
    assert again.status_code == first.status_code
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    return first


def test_a_replayed_contact_attempt_is_logged_once(facilitator_api, referral):
    send_twice(
        facilitator_api,
        f"/api/v1/referrals/{referral.id}/attempts/",
        {"kind": "call", "outcome": "no_answer"},
    )

    assert ContactAttempt.objects.filter(referral=referral).count() == 1
    referral.refresh_from_db()
    assert referral.unanswered_attempts == 1


def test_a_replayed_note_is_written_once(facilitator_api, referral):
    send_twice(
        facilitator_api, f"/api/v1/referrals/{referral.id}/notes/", {"text": "Rappeler lundi."}
    )

    assert ReferralEvent.objects.filter(referral=referral, kind="note").count() == 1


def test_a_replayed_status_move_moves_once(facilitator_api, referral):
    response = send_twice(
        facilitator_api, f"/api/v1/referrals/{referral.id}/status/", {"status": "contacted"}
    )

    assert response.json()["status"] == "contacted"
    assert ReferralEvent.objects.filter(referral=referral, kind="status_changed").count() == 1


def test_a_replayed_orientation_orients_once(facilitator_api, territory, facilitator):
    referral = ReferralFactory(capteur__territory=territory, assigned_to=facilitator, met=True)
    structure = StructureFactory(territory=territory)

    send_twice(
        facilitator_api,
        f"/api/v1/referrals/{referral.id}/orientations/",
        {"structure": structure.id},
    )

    assert Orientation.objects.filter(referral=referral).count() == 1


def test_a_replayed_reassignment_is_recorded_once(facilitator_api, referral, territory):
    colleague = MembershipFactory(territory=territory).user

    send_twice(
        facilitator_api,
        f"/api/v1/referrals/{referral.id}/reassign/",
        {"assigned_to": colleague.id},
    )

    assert ReferralEvent.objects.filter(referral=referral, kind="reassigned").count() == 1


def test_a_move_the_referral_no_longer_allows_is_409_on_replay(
    facilitator_api, territory, facilitator
):
    # given the referral was closed by a colleague while the phone was offline
    referral = ReferralFactory(capteur__territory=territory, assigned_to=facilitator, closed=True)

    # when the outbox replays a move taken offline
    response = facilitator_api.post(
        f"/api/v1/referrals/{referral.id}/status/",
        {"status": "contacted"},
        HTTP_IDEMPOTENCY_KEY=KEY,
    )

    # then it is a conflict the facilitator is told about, and the key stays free
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_status_transition"
    referral.refresh_from_db()
    assert referral.status == "closed"


def test_one_key_for_two_referrals_is_422(facilitator_api, referral, territory, facilitator):
    other = ReferralFactory(capteur__territory=territory, assigned_to=facilitator)
    facilitator_api.post(
        f"/api/v1/referrals/{referral.id}/notes/", {"text": "Note"}, HTTP_IDEMPOTENCY_KEY=KEY
    )

    response = facilitator_api.post(
        f"/api/v1/referrals/{other.id}/notes/", {"text": "Note"}, HTTP_IDEMPOTENCY_KEY=KEY
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not ReferralEvent.objects.filter(referral=other, kind="note").exists()
