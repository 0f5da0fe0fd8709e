import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.core.calendar import add_working_days
from backend.referrals import routing
from backend.referrals.enums import Channel, EventKind
from backend.referrals.models import Referral
from backend.referrals.services.intake import Submission, referral_submit
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def submit(code, phone="+33612345678", **overrides):
    return referral_submit(
        code=code,
        submission=Submission(
            first_name="Sam", phone=phone, channel=Channel.QR, consent=True, **overrides
        ),
    ).referral


# --- working days ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-11-23", 2, "2026-11-25"),  # Monday → Wednesday
        ("2026-11-27", 2, "2026-12-01"),  # Friday → Tuesday, over the weekend
        ("2026-11-28", 2, "2026-12-01"),  # Saturday → Tuesday
        ("2026-11-09", 2, "2026-11-12"),  # Monday → Thursday: 11 November is a holiday
        ("2026-12-24", 2, "2026-12-29"),  # Thursday → Tuesday: Christmas, then the weekend
        ("2026-05-13", 2, "2026-05-18"),  # Wednesday → Monday: Ascension Thursday, Friday, w-e
        ("2026-11-23", 0, "2026-11-23"),
    ],
)
def test_first_contact_is_due_after_working_days_skipping_weekends_and_holidays(start, days, due):
    assert add_working_days(datetime.date.fromisoformat(start), days) == (
        datetime.date.fromisoformat(due)
    )


def test_due_date_follows_the_territory_setting(territory, facilitator):
    territory.first_contact_working_days = 5
    territory.save()
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))

    referral = submit(code)

    assert referral.first_contact_due_on == add_working_days(timezone.localdate(), 5)


# --- routing -----------------------------------------------------------------------------


def test_a_referral_goes_to_the_capteurs_referent(territory):
    referent = MembershipFactory(territory=territory).user
    MembershipFactory(territory=territory)  # a colleague with fewer referrals (none)
    ReferralFactory.create_batch(3, capteur__territory=territory, assigned_to=referent)
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, referent=referent))

    referral = submit(code)

    assert referral.assigned_to == referent
    assert referral.events.filter(kind=EventKind.ASSIGNED, payload__to=referent.pk).exists()


def test_an_available_referent_is_picked_without_counting_anyones_referrals(territory):
    referent = MembershipFactory(territory=territory).user
    MembershipFactory(territory=territory)
    capteur = CapteurFactory(territory=territory, referent=referent)

    with CaptureQueriesContext(connection) as context:
        picked = routing.pick_facilitator(
            territory=territory, capteur=capteur, today=timezone.localdate()
        )

    assert picked == referent
    assert len(context.captured_queries) == 1
    assert "referrals_referral" not in context.captured_queries[0]["sql"]


def test_an_unavailable_referent_is_replaced_by_the_least_loaded_colleague(territory):
    referent = MembershipFactory(territory=territory, unavailable=True).user
    busy = MembershipFactory(territory=territory).user
    free = MembershipFactory(territory=territory).user
    ReferralFactory.create_batch(2, capteur__territory=territory, assigned_to=busy)
    ReferralFactory(capteur__territory=territory, assigned_to=free)
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, referent=referent))

    referral = submit(code)

    assert referral.assigned_to == free


def test_a_referent_back_from_absence_gets_referrals_again(territory):
    membership = MembershipFactory(
        territory=territory, unavailable_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    MembershipFactory(territory=territory)
    code = ReferralCodeFactory(
        capteur=CapteurFactory(territory=territory, referent=membership.user)
    )

    assert submit(code).assigned_to == membership.user


def test_without_referent_the_facilitator_with_fewest_open_referrals_gets_it(territory):
    busy = MembershipFactory(territory=territory).user
    free = MembershipFactory(territory=territory).user
    ReferralFactory.create_batch(2, capteur__territory=territory, assigned_to=busy)
    # closed referrals do not count as load
    ReferralFactory.create_batch(3, capteur__territory=territory, assigned_to=free, closed=True)
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    assert submit(code).assigned_to == free


def test_load_is_counted_in_the_referrals_territory_only(territory, other_territory):
    # given a facilitator busy elsewhere, and one busy here
    both = MembershipFactory(territory=territory).user
    MembershipFactory(user=both, territory=other_territory)
    here = MembershipFactory(territory=territory).user
    ReferralFactory.create_batch(3, capteur__territory=other_territory, assigned_to=both)
    ReferralFactory.create_batch(1, capteur__territory=territory, assigned_to=here)
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    assert submit(code).assigned_to == both


def test_coordinators_and_other_territories_facilitators_never_get_referrals(
    territory, other_territory, coordinator
):
    MembershipFactory(territory=other_territory)
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    referral = submit(code)

    assert referral.assigned_to is None


def test_an_inactive_facilitator_gets_nothing(territory):
    MembershipFactory(territory=territory, user=UserFactory(is_active=False))
    active = MembershipFactory(territory=territory).user
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    assert submit(code).assigned_to == active


def test_with_no_facilitator_at_all_the_referral_is_kept_and_the_coordinator_alerted(
    territory, coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    with django_capture_on_commit_callbacks(execute=True):
        referral = submit(code)

    assert Referral.objects.get() == referral
    assert referral.assigned_to is None
    assert referral.events.filter(kind=EventKind.UNASSIGNED).exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [coordinator.email]
    assert referral.pseudonym in mailoutbox[0].subject
    # no personal data of the person in the alert
    assert "Sam" not in mailoutbox[0].body
    assert "612345678" not in mailoutbox[0].body


# --- duplicates --------------------------------------------------------------------------


def test_a_phone_seen_in_the_territory_within_30_days_is_flagged_and_linked(territory, facilitator):
    earlier = ReferralFactory(capteur__territory=territory, phone="+33612345678")
    Referral.objects.filter(pk=earlier.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=29)
    )
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    referral = submit(code, phone="+33612345678")

    assert referral.possible_duplicate_of == earlier
    assert Referral.objects.count() == 2  # linked, never merged
    assert referral.events.filter(kind=EventKind.DUPLICATE_FLAGGED).exists()


def test_the_latest_earlier_referral_is_the_one_linked(territory, facilitator):
    older = ReferralFactory(capteur__territory=territory, phone="+33612345678")
    Referral.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=20)
    )
    latest = ReferralFactory(capteur__territory=territory, phone="+33612345678")
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    assert submit(code).possible_duplicate_of == latest


@pytest.mark.parametrize(
    ("age_days", "same_territory", "flagged"),
    [(31, True, False), (29, False, False), (0, True, True)],
)
def test_duplicates_only_within_30_days_and_the_same_territory(
    territory, other_territory, facilitator, age_days, same_territory, flagged
):
    referral = ReferralFactory(
        capteur__territory=territory if same_territory else other_territory,
        phone="+33612345678",
    )
    type(referral).objects.filter(pk=referral.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=age_days)
    )
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    assert (submit(code).possible_duplicate_of is not None) is flagged


def test_an_email_only_referral_is_matched_on_its_email(territory, facilitator):
    earlier = ReferralFactory(capteur__territory=territory, phone="", email="sam@example.org")
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    referral = submit(code, phone="", email="SAM@example.org")

    assert referral.possible_duplicate_of == earlier
