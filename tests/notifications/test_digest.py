"""The coordinators' daily digest: overdue referrals and referrals with no facilitator, by
reference only. The task is called directly: its body runs in-process, as a worker runs it."""

import pytest

from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.models import Notification
from backend.referrals.enums import ReferralTemplate
from backend.referrals.tasks import send_coordinator_digests
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def digests():
    return Notification.objects.filter(template=ReferralTemplate.COORDINATOR_DIGEST).order_by("id")


@pytest.fixture
def coordinators(territory):
    return [MembershipFactory(territory=territory, coordinator=True).user for _ in range(2)]


@pytest.fixture
def busy_territory(territory, facilitator, coordinators):
    """An overdue referral, an unassigned one, and one on time (not in the digest)."""
    return {
        "overdue": ReferralFactory(
            capteur__territory=territory,
            assigned_to=facilitator,
            overdue=True,
            first_name="Zéphyrine",
            phone="+33612349911",
            email="zephyrine@example.org",
        ),
        "unassigned": ReferralFactory(
            capteur__territory=territory, first_name="Anatole", phone="+33612349922"
        ),
        "on_time": ReferralFactory(capteur__territory=territory, assigned_to=facilitator),
    }


def test_each_coordinator_gets_a_digest_of_overdue_and_unassigned_referrals(
    busy_territory, coordinators
):
    # when
    written = send_coordinator_digests()

    # then one email per coordinator, listing references
    assert written == 2
    assert [(d.channel, d.recipient) for d in digests()] == [
        (Channel.EMAIL, coordinator.email) for coordinator in coordinators
    ]
    for digest in digests():
        assert busy_territory["overdue"].pseudonym in digest.body
        assert busy_territory["unassigned"].pseudonym in digest.body
        assert busy_territory["on_time"].pseudonym not in digest.body
        assert "1 en retard, 1 sans facilitateur" in digest.subject


def test_the_digest_holds_no_name_or_number_of_a_person(busy_territory):
    send_coordinator_digests()

    for digest in digests():
        text = digest.subject + digest.body
        for person in ("Zéphyrine", "Anatole", "zephyrine@example.org"):
            assert person not in text
        for number in ("+33612349911", "+33612349922", "06 12 34 99 11", "0612349911"):
            assert number not in text


def test_a_quiet_territory_gets_no_digest(territory, facilitator, coordinators):
    ReferralFactory(capteur__territory=territory, assigned_to=facilitator)
    ReferralFactory(capteur__territory=territory, closed=True)  # unassigned, but closed

    assert send_coordinator_digests() == 0
    assert not digests().exists()


def test_only_the_busy_territorys_coordinators_get_one(busy_territory, other_territory):
    quiet_coordinator = MembershipFactory(territory=other_territory, coordinator=True).user
    ReferralFactory(
        capteur__territory=other_territory,
        assigned_to=MembershipFactory(territory=other_territory).user,
    )

    send_coordinator_digests()

    assert quiet_coordinator.email not in {d.recipient for d in digests()}
    assert digests().count() == 2


def test_an_inactive_coordinator_gets_none(territory, busy_territory, coordinators):
    retired = MembershipFactory(
        territory=territory, coordinator=True, user=UserFactory(is_active=False)
    ).user

    send_coordinator_digests()

    assert retired.email not in {d.recipient for d in digests()}


def test_the_digest_reaches_the_mailbox_after_commit(
    busy_territory, coordinators, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_coordinator_digests()

    assert sorted(m.to[0] for m in mailoutbox) == sorted(c.email for c in coordinators)
    assert busy_territory["overdue"].pseudonym in mailoutbox[0].body
    assert mailoutbox[0].subject.startswith("Relais Ouest Béarn")
    assert {d.status for d in digests()} == {NotificationStatus.SENT}
