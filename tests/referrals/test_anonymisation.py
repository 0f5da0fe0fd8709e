"""Retention and anonymisation: the one routine (backend.referrals.services.privacy) behind the
nightly retention job, a person's erasure and the admin's "Anonymiser" action. The person's
data goes; what the funders count stays exactly as it was."""

import datetime
import logging

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.db.models import Count
from django.db.models.functions import TruncMonth

from backend.notifications.enums import NotificationStatus
from backend.notifications.models import Notification, SmsOptOut
from backend.referrals.enums import (
    AnonymisationReason,
    AttemptKind,
    AttemptOutcome,
    ClosingReason,
    EventKind,
    Status,
)
from backend.referrals.models import AccessLog, ContactAttempt, Orientation, Referral, ReferralEvent
from backend.referrals.services import privacy, triage
from backend.referrals.services.audit import referral_access_record
from backend.referrals.tasks import anonymise_expired
from tests.accounts.factories import TerritoryFactory, UserFactory, log_in_verified
from tests.capteurs.factories import CapteurFactory
from tests.notifications.factories import NotificationFactory, freeze, paris
from tests.referrals.factories import ReferralFactory
from tests.structures.factories import StructureFactory

pytestmark = pytest.mark.django_db

PHONE = "+33781234567"
NOW = paris(2026, 12, 3, 3, 0)  # the job's time: 3:00, Paris


@pytest.fixture
def clock(monkeypatch):
    return freeze(monkeypatch, NOW)


def referral_touched_last(clock, *, on, territory, **fields):
    """A referral received six months before `on`, whose last event happened `on`."""
    clock.set(on - datetime.timedelta(days=183))
    referral = ReferralFactory(capteur__territory=territory, **fields)
    clock.set(on)
    ReferralEvent.objects.create(referral=referral, kind=EventKind.NOTE, payload={"text": "Vu."})
    clock.set(NOW)
    return referral


def anonymised(referral) -> bool:
    referral.refresh_from_db()
    return referral.anonymised_at is not None


# --- the retention boundary --------------------------------------------------------------------


def test_a_referral_one_day_inside_its_retention_is_kept_and_one_day_past_is_anonymised(
    clock, territory
):
    # given 24 months of retention: the boundary is 3 December 2024, 3:00
    inside = referral_touched_last(clock, on=paris(2024, 12, 4, 3, 0), territory=territory)
    past = referral_touched_last(clock, on=paris(2024, 12, 2, 3, 0), territory=territory)

    # when the nightly job runs
    count = anonymise_expired()

    # then
    assert count == 1
    assert not anonymised(inside)
    assert anonymised(past)


def test_a_referral_with_no_event_counts_from_its_reception(clock, territory):
    clock.set(paris(2024, 12, 2, 3, 0))
    past = ReferralFactory(capteur__territory=territory)
    clock.set(paris(2024, 12, 4, 3, 0))
    inside = ReferralFactory(capteur__territory=territory)
    clock.set(NOW)

    anonymise_expired()

    assert (anonymised(past), anonymised(inside)) == (True, False)


def test_a_recent_event_keeps_an_old_referral(clock, territory):
    # given a referral received three years ago, on which a facilitator wrote last month
    old = referral_touched_last(clock, on=paris(2026, 11, 3, 10, 0), territory=territory)
    old.created_at = paris(2023, 12, 1, 10, 0)
    Referral.objects.filter(pk=old.pk).update(created_at=old.created_at)

    assert anonymise_expired() == 0
    assert not anonymised(old)


def test_each_territory_keeps_referrals_for_its_own_retention(clock, territory):
    # given a territory keeping 36 months, and referrals untouched for 30 months in each
    longer = TerritoryFactory(retention_months=36)
    here = referral_touched_last(clock, on=paris(2024, 6, 3, 10, 0), territory=territory)
    there = referral_touched_last(clock, on=paris(2024, 6, 3, 10, 0), territory=longer)

    anonymise_expired()

    assert (anonymised(here), anonymised(there)) == (True, False)


def test_the_job_runs_every_night_at_three():
    entry = settings.CELERY_BEAT_SCHEDULE["referrals-anonymise-expired"]

    assert entry["task"] == "referrals.anonymise_expired"
    assert entry["schedule"] == crontab(hour=3, minute=0)


def test_months_before_clamps_to_the_end_of_a_shorter_month():
    assert privacy.months_before(paris(2026, 3, 31, 3, 0), 1) == paris(2026, 2, 28, 3, 0)
    assert privacy.months_before(paris(2026, 12, 3, 3, 0), 24) == paris(2024, 12, 3, 3, 0)


# --- what goes, what stays ---------------------------------------------------------------------


@pytest.fixture
def person(territory, other_territory, facilitator):
    """A referral with everything that can hold the person's data, and what is not theirs."""
    referral = ReferralFactory(
        capteur__territory=territory,
        first_name="Zéphyrine",
        phone=PHONE,
        email="zephyrine@example.org",
        note="Je cherche du travail.",
        call_moments=["evening"],
        needs=["emploi", "sante"],
        assigned_to=facilitator,
    )
    triage.referral_log_attempt(
        referral=referral, kind=AttemptKind.CALL, outcome=AttemptOutcome.REACHED, actor=facilitator
    )
    triage.referral_add_note(referral=referral, text="Suivie au CMP.", actor=facilitator)
    triage.referral_orient(
        referral=referral, structure_id=StructureFactory(territory=territory).id, actor=facilitator
    )
    triage.referral_move_status(
        referral=referral,
        to_status=Status.CLOSED,
        closing_reason=ClosingReason.ACCOMPANIED,
        actor=facilitator,
    )
    referral_access_record(user=facilitator, referrals=[referral], action=AccessLog.Action.VIEW)
    # what was sent: the facilitator's alert, the acknowledgment, two replies to their SMS
    NotificationFactory(
        territory=territory, referral=referral, recipient=str(facilitator.phone), sent=True
    )
    NotificationFactory(
        to_person=True, territory=territory, referral=referral, recipient=PHONE, sent=True
    )
    NotificationFactory(reply=True, territory=territory, recipient=PHONE, sent=True)
    NotificationFactory(reply=True, territory=None, sender_number="", recipient=PHONE, sent=True)
    SmsOptOut.objects.create(phone=PHONE)
    referral.refresh_from_db()
    return referral


def test_anonymising_clears_the_persons_data_everywhere(person, territory, facilitator):
    # when
    count = privacy.referrals_anonymise(
        referral_ids=[person.id], actor=facilitator, reason=AnonymisationReason.ERASURE
    )

    # then the referral keeps no trace of the person
    assert count == 1
    person.refresh_from_db()
    assert (person.first_name, str(person.phone), person.email, person.note) == ("", "", "", "")
    assert person.call_moments == []
    assert person.idempotency_fingerprint == ""
    assert person.anonymised_at is not None
    # staff notes lose their text, not their row
    note = ReferralEvent.objects.get(referral=person, kind=EventKind.NOTE)
    assert note.payload == {"text": ""}
    # every message linked to the referral, and the replies to their number, are blank
    rows = Notification.objects.all()
    assert rows.count() == 4
    assert set(rows.values_list("recipient", "subject", "body")) == {("", "", "")}
    # nobody's reads of their data are kept
    assert not AccessLog.objects.filter(referral=person).exists()
    # an event says when and why
    event = ReferralEvent.objects.get(referral=person, kind=EventKind.ANONYMISED)
    assert (event.actor, event.payload) == (facilitator, {"reason": "erasure"})


def test_anonymising_keeps_what_the_indicators_count_and_the_stop(person, territory, facilitator):
    # given
    kept = {
        "status": person.status,
        "closing_reason": person.closing_reason,
        "capteur_id": person.capteur_id,
        "code_id": person.code_id,
        "channel": person.channel,
        "filled_by": person.filled_by,
        "needs": person.needs,
        "territory_id": person.territory_id,
        "assigned_to_id": person.assigned_to_id,
        "consent_at": person.consent_at,
        "consent_version": person.consent_version,
        "created_at": person.created_at,
        "first_contacted_at": person.first_contacted_at,
        "closed_at": person.closed_at,
    }
    events = list(ReferralEvent.objects.filter(referral=person).values_list("kind", "at"))
    messages = list(Notification.objects.values_list("template", "channel", "status", "sent_at"))

    # when
    privacy.referrals_anonymise(
        referral_ids=[person.id], actor=None, reason=AnonymisationReason.RETENTION
    )

    # then
    person.refresh_from_db()
    assert {name: getattr(person, name) for name in kept} == kept
    assert (
        list(
            ReferralEvent.objects.filter(referral=person)
            .exclude(kind=EventKind.ANONYMISED)
            .values_list("kind", "at")
        )
        == events
    )
    assert list(Notification.objects.values_list("template", "channel", "status", "sent_at")) == (
        messages
    )
    assert ContactAttempt.objects.filter(referral=person).count() == 1
    assert Orientation.objects.filter(referral=person).count() == 1
    # honouring STOP is a legal duty: the opt-out outlives the person's data
    assert SmsOptOut.objects.filter(phone=PHONE).exists()


def test_anonymising_leaves_other_territories_messages_and_other_people(
    person, other_territory, facilitator
):
    theirs = NotificationFactory(reply=True, territory=other_territory, recipient=PHONE)
    someone_else = ReferralFactory(capteur__territory=person.territory, first_name="Alex")

    privacy.referrals_anonymise(
        referral_ids=[person.id], actor=None, reason=AnonymisationReason.RETENTION
    )

    theirs.refresh_from_db()
    someone_else.refresh_from_db()
    assert theirs.recipient == PHONE
    assert someone_else.first_name == "Alex"
    assert someone_else.anonymised_at is None


def test_a_message_waiting_to_leave_is_cancelled(territory):
    referral = ReferralFactory(capteur__territory=territory, phone=PHONE)
    waiting = NotificationFactory(to_person=True, territory=territory, referral=referral)

    privacy.referrals_anonymise(
        referral_ids=[referral.id], actor=None, reason=AnonymisationReason.RETENTION
    )

    waiting.refresh_from_db()
    assert waiting.status == NotificationStatus.FAILED
    assert (waiting.recipient, waiting.body) == ("", "")


def test_anonymising_twice_does_nothing_more(person):
    privacy.referrals_anonymise(
        referral_ids=[person.id], actor=None, reason=AnonymisationReason.RETENTION
    )
    first_time = list(Referral.objects.values())

    again = privacy.referrals_anonymise(
        referral_ids=[person.id], actor=None, reason=AnonymisationReason.RETENTION
    )

    assert again == 0
    assert list(Referral.objects.values()) == first_time
    assert ReferralEvent.objects.filter(kind=EventKind.ANONYMISED).count() == 1


def test_anonymising_goes_by_batches(territory, monkeypatch):
    monkeypatch.setattr(privacy, "ANONYMISE_BATCH", 2)
    batches = []
    real = privacy._anonymise_batch
    monkeypatch.setattr(
        privacy, "_anonymise_batch", lambda ids, **kw: batches.append(ids) or real(ids, **kw)
    )
    referrals = ReferralFactory.create_batch(5, capteur__territory=territory)

    count = privacy.referrals_anonymise(
        referral_ids=[r.id for r in referrals], actor=None, reason=AnonymisationReason.RETENTION
    )

    assert count == 5
    assert [len(batch) for batch in batches] == [2, 2, 1]
    assert not Referral.objects.filter(anonymised_at__isnull=True).exists()


def test_anonymising_logs_counts_only(person, caplog):
    caplog.set_level(logging.DEBUG)

    privacy.referrals_anonymise(
        referral_ids=[person.id], actor=None, reason=AnonymisationReason.RETENTION
    )

    assert "1 referral(s) anonymised (retention)" in caplog.text
    for personal in ("Zéphyrine", "781234567", "zephyrine@", "travail", "CMP"):
        assert personal not in caplog.text


# --- the counts stay identical -----------------------------------------------------------------


def counts():
    """Referrals by status, month and capteur, as a funder's indicator would count them."""
    return list(
        Referral.objects.annotate(month=TruncMonth("created_at"))
        .values("status", "closing_reason", "month", "capteur_id", "channel")
        .annotate(n=Count("id"))
        .order_by("status", "closing_reason", "month", "capteur_id", "channel")
    )


def test_the_counts_stay_identical_after_the_retention_job(clock, territory):
    # given three years of referrals from two capteurs, in every status
    capteurs = CapteurFactory.create_batch(2, territory=territory, partner=True)
    traits = [{}, {"contacted": True}, {"met": True}, {"oriented": True}, {"closed": True}]
    for months_ago in range(0, 36, 5):
        for index, trait in enumerate(traits):
            clock.set(NOW - datetime.timedelta(days=30 * months_ago + index))
            ReferralFactory(capteur=capteurs[index % 2], **trait)
    clock.set(NOW)
    before = counts()

    # when
    count = anonymise_expired()

    # then some were anonymised, and every count is the same
    assert count > 0
    assert Referral.objects.filter(anonymised_at__isnull=False).count() == count
    assert counts() == before


# --- the admin's action ------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    log_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_anonymises_after_a_confirmation(admin_client, person):
    changelist = "/admin/referrals/referral/"
    selection = {"action": "anonymise", "_selected_action": [person.id]}

    # when the action is chosen, a confirmation page says what goes and where requests go
    confirm = admin_client.post(changelist, selection)

    # then nothing is anonymised yet
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert person.pseudonym in page
    assert "/api/v1/privacy/requests/" in page
    assert not anonymised(person)

    # when confirmed
    done = admin_client.post(changelist, {**selection, "confirmed": "yes"}, follow=True)

    # then
    assert "1 orientation anonymisée." in done.content.decode()
    assert anonymised(person)
    event = ReferralEvent.objects.get(referral=person, kind=EventKind.ANONYMISED)
    assert event.payload == {"reason": "admin"}
    assert LogEntry.objects.filter(object_id=str(person.id)).exists()


def test_the_admin_has_no_delete_button_for_referrals(admin_client, person):
    response = admin_client.get(f"/admin/referrals/referral/{person.id}/delete/")

    assert response.status_code == 403
    assert Referral.objects.filter(pk=person.pk).exists()


def test_the_referral_admin_shows_no_personal_data(admin_client, person):
    page = admin_client.get(f"/admin/referrals/referral/{person.id}/change/").content.decode()

    for personal in ("Zéphyrine", "781234567", "zephyrine@", "Suivie au CMP"):
        assert personal not in page
