"""The outbox in the admin: failures visible, numbers masked, a resend action."""

import pytest

from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.models import Notification, SmsOptOut
from backend.referrals.enums import ReferralTemplate
from tests.accounts.factories import UserFactory, log_in_verified

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/notifications/notification/"


@pytest.fixture
def admin_client(client):
    log_in_verified(client, UserFactory(is_staff=True, is_superuser=True))
    return client


def sms(status, *, recipient="+33612345678", last_error="", **fields):
    return Notification.objects.create(
        channel=Channel.SMS,
        template=ReferralTemplate.FACILITATOR_NEW_REFERRAL,
        recipient=recipient,
        body="Relais: nouvelle orientation R-2026-000001.",
        status=status,
        last_error=last_error,
        **fields,
    )


def test_the_outbox_lists_failures_with_masked_numbers(admin_client):
    # given
    sms(NotificationStatus.FAILED, last_error="Twilio 400/21211", provider_status="undelivered")
    Notification.objects.create(
        channel=Channel.EMAIL,
        template=ReferralTemplate.COORDINATOR_DIGEST,
        recipient="coordination@example.org",
        subject="Relais",
        body="Récapitulatif",
    )

    # when
    response = admin_client.get(CHANGELIST)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "+336******78" in page
    assert "+33612345678" not in page
    assert "coordination@example.org" in page
    assert "Twilio 400/21211" in page
    assert "undelivered" in page


@pytest.mark.parametrize(
    "query", ["status__exact=failed", "channel__exact=sms", "template__exact=capteur_space_link"]
)
def test_the_outbox_filters(admin_client, query):
    sms(NotificationStatus.FAILED)

    assert admin_client.get(f"{CHANGELIST}?{query}").status_code == 200


def test_the_outbox_is_searched_by_provider_id(admin_client):
    sms(NotificationStatus.SENT, provider_id="SM0123456789abcdef", recipient="+33612000011")
    sms(NotificationStatus.SENT, provider_id="SMffffffffffffffff", recipient="+33612000022")

    page = admin_client.get(f"{CHANGELIST}?q=SM0123456789").content.decode()

    assert "+336******11" in page
    assert "+336******22" not in page


def test_a_notification_is_read_only(admin_client):
    notification = sms(NotificationStatus.FAILED)
    url = f"{CHANGELIST}{notification.id}/change/"

    page = admin_client.get(url)
    admin_client.post(url, {"recipient": "+33698765432", "status": "sent"})

    assert page.status_code == 200
    assert "+33612345678" not in page.content.decode()
    notification.refresh_from_db()
    assert (notification.recipient, notification.status) == ("+33612345678", "failed")


def test_resend_requeues_the_failed_notifications_only(
    admin_client, django_capture_on_commit_callbacks
):
    # given
    failed = [sms(NotificationStatus.FAILED, last_error="Twilio 503/None") for _ in range(2)]
    sent = sms(NotificationStatus.SENT)
    pending = sms(NotificationStatus.PENDING)
    selected = [n.id for n in [*failed, sent, pending]]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST, {"action": "resend", "_selected_action": selected}, follow=True
        )

    # then the failed ones went out again (console backend); the others were left alone
    assert "2 notifications remises en file d&#x27;envoi." in response.content.decode()
    for notification in failed:
        notification.refresh_from_db()
        assert (notification.status, notification.last_error) == ("sent", "")
    assert Notification.objects.get(pk=sent.pk).status == "sent"
    assert Notification.objects.get(pk=pending.pk).attempts == 0
    assert Notification.objects.get(pk=pending.pk).status == "pending"


def test_resend_with_no_failure_selected_says_so(admin_client):
    sent = sms(NotificationStatus.SENT)

    response = admin_client.post(
        CHANGELIST, {"action": "resend", "_selected_action": [sent.id]}, follow=True
    )

    assert "Aucune notification en échec dans la sélection" in response.content.decode()


def test_resend_says_when_a_number_can_never_get_an_sms(admin_client):
    landline = sms(NotificationStatus.FAILED, recipient="+33559691234", last_error="old error")

    response = admin_client.post(
        CHANGELIST, {"action": "resend", "_selected_action": [landline.id]}, follow=True
    )

    page = response.content.decode()
    assert "remise en file" not in page
    assert "1 notification non renvoyée : ce numéro ne peut pas recevoir de SMS." in page
    landline.refresh_from_db()
    assert landline.status == "failed"
    assert landline.last_error == "Ce numéro n'est pas un mobile : pas de SMS."


def test_resend_needs_the_change_permission(client):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    log_in_verified(client, viewer)
    failed = sms(NotificationStatus.FAILED)

    assert client.get(CHANGELIST).status_code == 200
    client.post(CHANGELIST, {"action": "resend", "_selected_action": [failed.id]})

    assert Notification.objects.get(pk=failed.pk).status == "failed"


# --- opt-outs -------------------------------------------------------------------------------


def test_opt_outs_are_listed_found_by_a_typed_number_and_deletable(admin_client):
    # given
    opt_out = SmsOptOut.objects.create(phone="+33612345678")
    SmsOptOut.objects.create(phone="+33698765432")
    url = "/admin/notifications/smsoptout/"

    # when / then: listed (masked), found as people type numbers
    listed = admin_client.get(url).content.decode()
    assert "+336******78" in listed
    found = admin_client.get(url, {"q": "06 12 34 56 78"}).content.decode()
    assert "+336******78" in found
    assert "+336******32" not in found

    # when deleted, SMS are allowed again
    response = admin_client.post(f"{url}{opt_out.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert list(SmsOptOut.objects.values_list("phone", flat=True)) == ["+33698765432"]
