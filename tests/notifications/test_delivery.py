"""Delivery rules: each SMS leaves once, never to an opted-out number or a landline, never past
the daily cap, never at night to a referred person; the sweep picks up what stayed behind."""

import datetime
import smtplib

import pytest

from backend.capteurs.enums import CapteurTemplate
from backend.notifications.delivery import deliver
from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.models import Notification, SmsOptOut
from backend.notifications.policy import next_person_sms_time
from backend.notifications.services import notification_create, notification_retry
from backend.notifications.tasks import deliver_notification, sweep
from backend.referrals.enums import ReferralTemplate
from backend.referrals.services.intake import Submission, referral_submit
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.notifications.factories import (
    LANDLINE,
    PERSON_MOBILE,
    NotificationFactory,
    forbid_real_twilio_http,
    freeze,
    paris,
    use_fake_twilio,
)

pytestmark = pytest.mark.django_db

STOP_REASON = "Ce numéro a demandé à ne plus recevoir de SMS (STOP)."
CAP_REASON = "Plafond quotidien de SMS atteint pour ce numéro."


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    forbid_real_twilio_http(monkeypatch)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Tuesday 9 June 2026, 14:00 in Orthez, unless a test moves it."""
    return freeze(monkeypatch, paris(2026, 6, 9, 14, 0))


@pytest.fixture
def twilio(monkeypatch, settings):
    return use_fake_twilio(monkeypatch, settings)


def reload(notification) -> Notification:
    return Notification.objects.get(pk=notification.pk)


# --- once, and only to whom may get it ---------------------------------------------------------


def test_a_delivery_run_twice_sends_once(territory, twilio):
    notification = NotificationFactory(territory=territory)

    deliver(notification.pk)
    deliver(notification.pk)  # the task came back (acks_late, a lost worker)
    deliver_notification.apply(args=[notification.pk])

    assert len(twilio.requests) == 1
    notification = reload(notification)
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_a_row_claimed_by_another_worker_is_left_to_it(territory, twilio):
    notification = NotificationFactory(territory=territory, status=NotificationStatus.SENDING)

    deliver(notification.pk)

    assert twilio.requests == []
    assert reload(notification).status == NotificationStatus.SENDING


@pytest.mark.parametrize(
    "template", [ReferralTemplate.PERSON_ACKNOWLEDGMENT, ReferralTemplate.FACILITATOR_NEW_REFERRAL]
)
def test_no_sms_goes_to_a_number_that_said_stop(territory, twilio, template):
    # given the number texted STOP
    SmsOptOut.objects.create(phone=PERSON_MOBILE)
    notification = NotificationFactory(
        territory=territory, template=template, recipient=PERSON_MOBILE
    )

    # when its SMS is delivered
    deliver(notification.pk)

    # then nothing is sent and the row says why
    assert twilio.requests == []
    notification = reload(notification)
    assert (notification.status, notification.last_error) == (
        NotificationStatus.FAILED,
        STOP_REASON,
    )


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        (LANDLINE, "Ce numéro n'est pas un mobile : pas de SMS."),
        ("+33700000000", "Numéro invalide."),
        ("not a number", "Numéro invalide."),
    ],
)
def test_an_sms_to_a_number_that_cannot_get_one_fails_at_once(
    territory, twilio, django_capture_on_commit_callbacks, number, reason
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notification_create(
            channel=Channel.SMS,
            template=CapteurTemplate.CAPTEUR_SPACE_LINK,
            recipient=number,
            body="Relais: voici le lien de votre espace capteur.",
            territory=territory,
        )

    notification = reload(notification)
    assert (notification.status, notification.last_error) == (NotificationStatus.FAILED, reason)
    assert callbacks == []
    assert twilio.requests == []


def test_the_daily_cap_stops_sms_to_one_persons_number(territory, twilio, settings):
    # given a cap of two SMS a day per number typed by the public
    settings.SMS_DAILY_CAP_PER_NUMBER = 2
    rows = [NotificationFactory(territory=territory, to_person=True) for _ in range(3)]

    # when three acknowledgments to the same number are delivered
    for row in rows:
        deliver(row.pk)

    # then the third is refused
    assert len(twilio.requests) == 2
    assert [reload(row).status for row in rows] == [
        NotificationStatus.SENT,
        NotificationStatus.SENT,
        NotificationStatus.FAILED,
    ]
    assert reload(rows[2]).last_error == CAP_REASON


def test_the_daily_cap_counts_the_last_24_hours(territory, twilio, settings, clock):
    settings.SMS_DAILY_CAP_PER_NUMBER = 1
    yesterday = NotificationFactory(territory=territory, to_person=True)
    deliver(yesterday.pk)

    clock.advance(hours=25)
    today = NotificationFactory(territory=territory, to_person=True)
    deliver(today.pk)

    assert reload(today).status == NotificationStatus.SENT


def test_a_busy_facilitator_is_not_capped(territory, twilio, settings):
    # The cap stops SMS pumping through the public form; staff alerts are no abuse.
    settings.SMS_DAILY_CAP_PER_NUMBER = 2
    rows = [NotificationFactory(territory=territory, recipient="+33612000001") for _ in range(4)]

    for row in rows:
        deliver(row.pk)

    assert {reload(row).status for row in rows} == {NotificationStatus.SENT}


# --- not at night, on Sundays or public holidays ----------------------------------------------


@pytest.mark.parametrize(
    ("now", "leaves_at"),
    [
        (paris(2026, 6, 9, 14, 0), None),  # Tuesday afternoon
        (paris(2026, 6, 9, 9, 0), None),  # Tuesday, first minute allowed
        (paris(2026, 6, 9, 7, 30), paris(2026, 6, 9, 9, 0)),  # Tuesday, early morning
        (paris(2026, 6, 9, 20, 0), paris(2026, 6, 10, 9, 0)),  # Tuesday, 20:00
        (paris(2026, 6, 9, 22, 30), paris(2026, 6, 10, 9, 0)),  # Tuesday night
        (paris(2026, 6, 13, 12, 0), None),  # Saturday noon
        (paris(2026, 6, 13, 21, 0), paris(2026, 6, 15, 9, 0)),  # Saturday night: Monday
        (paris(2026, 6, 14, 10, 0), paris(2026, 6, 15, 9, 0)),  # Sunday: Monday
        (paris(2026, 12, 24, 21, 0), paris(2026, 12, 26, 9, 0)),  # Christmas Eve: Sat 26th
        (paris(2026, 12, 25, 11, 0), paris(2026, 12, 26, 9, 0)),  # Christmas Day
        (paris(2026, 8, 15, 11, 0), paris(2026, 8, 17, 9, 0)),  # 15 August, a Saturday
        (paris(2026, 5, 1, 10, 0), paris(2026, 5, 2, 9, 0)),  # 1 May, a Friday
    ],
)
def test_sms_to_people_wait_for_a_decent_hour(now, leaves_at):
    assert next_person_sms_time(now) == leaves_at


def test_a_row_not_yet_due_is_left_to_the_sweep(territory, twilio, clock):
    # given an acknowledgment that waits for 9:00 tomorrow
    tomorrow_nine = paris(2026, 6, 10, 9, 0)
    notification = NotificationFactory(
        territory=territory, to_person=True, not_before=tomorrow_nine
    )

    # when its task runs now, then nothing leaves
    deliver(notification.pk)
    assert twilio.requests == []
    assert (reload(notification).status, reload(notification).attempts) == (
        NotificationStatus.PENDING,
        0,
    )

    # when the sweep runs just before, then still nothing
    clock.set(paris(2026, 6, 10, 8, 59))
    assert sweep(now=clock.now) == 0

    # when it runs once due, then it leaves
    clock.set(paris(2026, 6, 10, 9, 1))
    assert sweep(now=clock.now) == 1
    assert reload(notification).status == NotificationStatus.SENT
    assert len(twilio.requests) == 1


def test_a_referral_at_night_acknowledges_the_person_next_morning(
    territory, facilitator, twilio, clock, django_capture_on_commit_callbacks
):
    # given it is 22:30 on a Tuesday
    clock.set(paris(2026, 6, 9, 22, 30))
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))

    # when a person leaves their number
    with django_capture_on_commit_callbacks(execute=True):
        referral_submit(
            code=code, submission=Submission(first_name="Sam", phone=PERSON_MOBILE, consent=True)
        )

    # then the facilitator is told now, the person waits for 9:00
    assert [form["To"] for form in twilio.sent] == [str(facilitator.phone)]
    acknowledgment = Notification.objects.get(template=ReferralTemplate.PERSON_ACKNOWLEDGMENT)
    assert acknowledgment.status == NotificationStatus.PENDING
    assert acknowledgment.not_before == paris(2026, 6, 10, 9, 0)

    clock.set(paris(2026, 6, 10, 9, 0, 30))
    sweep(now=clock.now)
    assert [form["To"] for form in twilio.sent] == [str(facilitator.phone), PERSON_MOBILE]


def test_an_acknowledgment_delayed_into_the_night_waits_again(territory, twilio, clock):
    # given an acknowledgment written at 19:58 that the broker never got
    clock.set(paris(2026, 6, 9, 19, 58))
    notification = NotificationFactory(territory=territory, to_person=True)

    # when the sweep picks it up at 23:00
    clock.set(paris(2026, 6, 9, 23, 0))
    sweep(now=clock.now)

    # then it does not leave, and waits for the morning without using up a try
    assert twilio.requests == []
    notification = reload(notification)
    assert notification.status == NotificationStatus.PENDING
    assert notification.not_before == paris(2026, 6, 10, 9, 0)
    assert notification.attempts == 0


# --- the sweep --------------------------------------------------------------------------------


def test_the_sweep_resends_what_the_broker_never_got_and_skips_what_it_just_got(
    territory, twilio, clock
):
    now = clock.now
    never_enqueued = NotificationFactory(territory=territory, enqueued_at=None)
    left_behind = NotificationFactory(
        territory=territory, enqueued_at=now - datetime.timedelta(minutes=3)
    )
    just_enqueued = NotificationFactory(
        territory=territory, enqueued_at=now - datetime.timedelta(seconds=30)
    )
    already_sent = NotificationFactory(territory=territory, sent=True, enqueued_at=None)

    assert sweep(now=now) == 2

    assert reload(never_enqueued).status == NotificationStatus.SENT
    assert reload(left_behind).status == NotificationStatus.SENT
    assert reload(just_enqueued).status == NotificationStatus.PENDING
    assert reload(already_sent).attempts == 1
    assert sorted(form["To"] for form in twilio.sent) == sorted(
        [never_enqueued.recipient, left_behind.recipient]
    )


def test_the_sweep_hands_back_a_claim_whose_worker_died(territory, twilio, clock):
    # given two rows claimed by workers: one 11 minutes ago (it died), one 5 minutes ago
    dead = NotificationFactory(territory=territory, status=NotificationStatus.SENDING)
    busy = NotificationFactory(territory=territory, status=NotificationStatus.SENDING)
    Notification.objects.filter(pk=dead.pk).update(
        updated_at=clock.now - datetime.timedelta(minutes=11),
        enqueued_at=clock.now - datetime.timedelta(minutes=11),
    )
    Notification.objects.filter(pk=busy.pk).update(
        updated_at=clock.now - datetime.timedelta(minutes=5),
        enqueued_at=clock.now - datetime.timedelta(minutes=5),
    )

    # when the sweep runs
    assert sweep(now=clock.now) == 1

    # then the dead worker's row is sent again, the busy one left alone
    assert reload(dead).status == NotificationStatus.SENT
    assert reload(busy).status == NotificationStatus.SENDING
    assert [form["To"] for form in twilio.sent] == [dead.recipient]


class WorkerKilled(BaseException):
    """A worker process killed (SIGKILL, OOM): nothing after this point runs."""


def test_a_worker_killed_after_twilio_accepted_causes_no_second_sms(
    territory, twilio, clock, monkeypatch
):
    # given a worker killed right after Twilio accepted the message, before it marked it sent
    notification = NotificationFactory(territory=territory)

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patched:
        patched.setattr("backend.notifications.delivery._finish", killed)
        with pytest.raises(WorkerKilled):
            deliver(notification.pk)
    stuck = reload(notification)
    assert (stuck.status, len(twilio.sent)) == (NotificationStatus.SENDING, 1)
    assert stuck.provider_id  # written the moment Twilio answered
    Notification.objects.filter(pk=notification.pk).update(
        updated_at=clock.now - datetime.timedelta(minutes=11),
        enqueued_at=clock.now - datetime.timedelta(minutes=11),
    )

    # when the sweep finds the stale claim
    assert sweep(now=clock.now) == 0

    # then it is settled as sent, and no second SMS leaves
    settled = reload(notification)
    assert (settled.status, settled.provider_id) == (NotificationStatus.SENT, stuck.provider_id)
    assert settled.sent_at is not None
    assert len(twilio.sent) == 1


def test_a_stale_claim_without_provider_id_is_sent_again(territory, twilio, clock):
    # given a worker that died before Twilio answered (the accepted risk of a resend)
    dead = NotificationFactory(territory=territory, status=NotificationStatus.SENDING)
    Notification.objects.filter(pk=dead.pk).update(
        updated_at=clock.now - datetime.timedelta(minutes=11),
        enqueued_at=clock.now - datetime.timedelta(minutes=11),
    )

    assert sweep(now=clock.now) == 1

    assert reload(dead).status == NotificationStatus.SENT
    assert [form["To"] for form in twilio.sent] == [dead.recipient]


def test_the_sweep_waits_as_long_as_the_configured_claim_lifetime(
    territory, twilio, clock, settings
):
    # given claims 30 s and 90 s old, and claims that go stale after a minute (the drill's
    # NOTIFICATION_SENDING_STALE_SECONDS; production waits 10 minutes)
    settings.NOTIFICATION_SENDING_STALE_SECONDS = 60
    alive = NotificationFactory(territory=territory, status=NotificationStatus.SENDING)
    dead = NotificationFactory(territory=territory, status=NotificationStatus.SENDING)
    for row, age in ((alive, 30), (dead, 90)):
        Notification.objects.filter(pk=row.pk).update(
            updated_at=clock.now - datetime.timedelta(seconds=age),
            enqueued_at=clock.now - datetime.timedelta(minutes=11),
        )

    assert sweep(now=clock.now) == 1

    # only the stale one is sent again; the live worker's send is left alone
    assert reload(alive).status == NotificationStatus.SENDING
    assert reload(dead).status == NotificationStatus.SENT
    assert [form["To"] for form in twilio.sent] == [dead.recipient]


# --- email ------------------------------------------------------------------------------------


def test_an_email_is_sent_with_its_subject(territory, mailoutbox):
    notification = NotificationFactory(territory=territory, email=True)

    deliver(notification.pk)

    [email] = mailoutbox
    assert (email.to, email.subject) == ([notification.recipient], notification.subject)
    assert reload(notification).status == NotificationStatus.SENT


def test_an_email_server_error_leaves_the_email_for_the_sweep(territory, monkeypatch, clock):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("backend.notifications.delivery.send_mail", refuse)
    notification = NotificationFactory(territory=territory, email=True)

    with pytest.raises(smtplib.SMTPServerDisconnected):
        deliver(notification.pk)

    notification = reload(notification)
    assert notification.status == NotificationStatus.PENDING
    assert notification.last_error == "SMTPServerDisconnected"
    # and the sweep tries again once its retry is due
    monkeypatch.undo()
    freeze(monkeypatch, clock.now)
    assert sweep(now=clock.now + datetime.timedelta(minutes=3)) == 1
    assert reload(notification).status == NotificationStatus.SENT


# --- retry from the admin -----------------------------------------------------------------------


def test_a_failed_sms_retried_gets_a_fresh_set_of_tries(
    territory, twilio, django_capture_on_commit_callbacks
):
    # given an SMS that failed after all its tries (Twilio was down all along)
    notification = NotificationFactory(
        territory=territory,
        status=NotificationStatus.FAILED,
        attempts=6,
        last_error="Twilio 503/503",
    )

    # when someone retries it
    with django_capture_on_commit_callbacks(execute=True):
        notification_retry(notification=notification)

    # then it goes out
    notification = reload(notification)
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)
    assert notification.last_error == ""
    assert len(twilio.requests) == 1
