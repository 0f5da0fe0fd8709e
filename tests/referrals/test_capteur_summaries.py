"""Closing the loop with capteurs: once a month, a partner that asked for it hears what became
of the people it sent (counts only, a thank-you), a dormant one gets a gentle reminder, the
capteur space shows the same figures, and the facilitator sees on the capteur what was sent."""

import datetime

import pytest
from django.utils import timezone

from backend.capteurs.enums import SummaryChannel
from backend.notifications import gsm7
from backend.notifications.enums import Channel
from backend.notifications.models import Notification
from backend.referrals.enums import ClosingReason, ReferralTemplate
from backend.referrals.models import CapteurSummary, Referral
from backend.referrals.notifications import capteur_summaries_create
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

SHOP_MOBILE = "+33781234501"


@pytest.fixture
def last_month():
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def sent_in(month, capteur, **traits):
    """A referral from `capteur` made on the 10th of `month`."""
    referral = ReferralFactory(capteur=capteur, **traits)
    at = timezone.make_aware(datetime.datetime.combine(month.replace(day=10), datetime.time(11)))
    Referral.objects.filter(pk=referral.pk).update(created_at=at)
    return referral


def test_a_capteur_that_sent_people_hears_what_became_of_them(territory, last_month):
    # given a bar-tabac that asked for the summary by SMS and sent four people last month:
    # one still new, one reached, one oriented, and one that was a duplicate
    shop = CapteurFactory(
        territory=territory, partner=True, phone=SHOP_MOBILE, summary_channel=SummaryChannel.SMS
    )
    sent_in(last_month, shop, first_name="Maëlle")
    sent_in(last_month, shop, contacted=True)
    sent_in(last_month, shop, oriented=True)
    sent_in(
        last_month,
        shop,
        closed=True,
        closing_reason=ClosingReason.DUPLICATE,
    )

    # when the monthly job runs
    assert capteur_summaries_create(month=last_month) == 1

    # then the shop gets one SMS with the counts, GSM-7, and no name
    sms = Notification.objects.get(template=ReferralTemplate.CAPTEUR_SUMMARY)
    assert (sms.channel, sms.recipient) == (Channel.SMS, SHOP_MOBILE)
    assert "3 personnes sont venues de votre part" in sms.body
    assert "joint 2 et orienté 1" in sms.body.replace("oriente", "orienté")
    assert "Maëlle" not in sms.body and "Maelle" not in sms.body
    assert gsm7.is_gsm7(sms.body) and gsm7.sms_segments(sms.body) <= 2
    # and the facilitator can see what was sent
    summary = CapteurSummary.objects.get()
    assert (summary.kind, summary.sent, summary.reached, summary.oriented) == (
        CapteurSummary.Kind.SUMMARY,
        3,
        2,
        1,
    )
    assert summary.notification == sms


def test_a_dormant_capteur_gets_a_gentle_reminder_with_its_code(territory, last_month):
    territory.sms_number = "+33757000001"
    territory.save()
    silent = CapteurFactory(
        territory=territory, partner=True, phone=SHOP_MOBILE, summary_channel=SummaryChannel.SMS
    )
    code = ReferralCodeFactory(capteur=silent)

    assert capteur_summaries_create(month=last_month) == 1

    reminder = Notification.objects.get(template=ReferralTemplate.CAPTEUR_REMINDER)
    assert code.short_code in reminder.body
    assert "merci d'etre capteur" in reminder.body.lower()
    assert CapteurSummary.objects.get().kind == CapteurSummary.Kind.REMINDER


def test_nothing_goes_to_capteurs_that_did_not_ask_or_have_nothing_to_say(territory, last_month):
    # a partner that sent people but did not ask for the summary
    quiet = CapteurFactory(territory=territory, partner=True, phone=SHOP_MOBILE)
    sent_in(last_month, quiet)
    # an active partner (a referral last week) that sent nobody last month
    CapteurFactory(
        territory=territory, sending=True, phone=SHOP_MOBILE, summary_channel=SummaryChannel.SMS
    )
    # a prospect that asked for it
    CapteurFactory(territory=territory, phone=SHOP_MOBILE, summary_channel=SummaryChannel.SMS)

    assert capteur_summaries_create(month=last_month) == 0
    assert not Notification.objects.exists()


def test_the_monthly_job_run_twice_sends_once(territory, last_month):
    shop = CapteurFactory(
        territory=territory, partner=True, phone=SHOP_MOBILE, summary_channel=SummaryChannel.SMS
    )
    sent_in(last_month, shop)

    first = capteur_summaries_create(month=last_month)
    second = capteur_summaries_create(month=last_month)

    assert (first, second) == (1, 0)
    assert Notification.objects.count() == CapteurSummary.objects.count() == 1


def test_a_capteur_may_choose_email(territory, last_month):
    shop = CapteurFactory(
        territory=territory,
        partner=True,
        email="contact@balto.example.org",
        summary_channel=SummaryChannel.EMAIL,
    )
    sent_in(last_month, shop)

    capteur_summaries_create(month=last_month)

    email = Notification.objects.get()
    assert (email.channel, email.recipient) == (Channel.EMAIL, "contact@balto.example.org")
    assert email.subject.startswith(f"Relais {territory.name} : votre récapitulatif de ")


def test_the_facilitator_sees_on_the_capteur_what_was_sent(
    facilitator_api, territory, last_month, django_capture_on_commit_callbacks
):
    shop = CapteurFactory(
        territory=territory, partner=True, phone=SHOP_MOBILE, summary_channel=SummaryChannel.SMS
    )
    sent_in(last_month, shop, contacted=True)
    with django_capture_on_commit_callbacks(execute=True):
        capteur_summaries_create(month=last_month)

    response = facilitator_api.get(f"/api/v1/capteurs/{shop.id}/summaries/")

    assert response.status_code == 200
    [row] = response.json()
    assert row["month"] == last_month.isoformat()
    assert (row["kind"], row["sent"], row["reached"], row["oriented"]) == ("summary", 1, 1, 0)
    assert row["delivery_status"] == "sent"  # by the console backend


def test_the_capteur_space_shows_the_figures_of_the_summary(client, territory, last_month):
    shop = CapteurFactory(
        territory=territory, partner=True, phone=SHOP_MOBILE, summary_channel=SummaryChannel.SMS
    )
    ReferralCodeFactory(capteur=shop)
    sent_in(last_month, shop, contacted=True)
    sent_in(last_month, shop, oriented=True)
    shop.space_secret = "s3cr3t-space-link-for-the-test-0001"
    shop.save()
    capteur_summaries_create(month=last_month)
    summary = CapteurSummary.objects.get()

    page = client.get(f"/c/{shop.space_secret}").content.decode()

    assert "Le mois dernier" in page
    counts = page.split("Le mois dernier", 1)[1]
    for figure in (summary.sent, summary.reached, summary.oriented):
        assert f"<dd>{figure}</dd>" in counts
