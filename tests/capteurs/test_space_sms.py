"""A capteur gets its space link by SMS, on request."""

import pytest

from backend.capteurs.enums import CapteurTemplate
from backend.capteurs.services import capteur_space_issue
from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.models import Notification
from tests.capteurs.factories import CapteurFactory

pytestmark = pytest.mark.django_db

MOBILE = "+33612345678"
LANDLINE = "+33559691234"


def capteur_with_space(territory, **fields):
    capteur = CapteurFactory(territory=territory, partner=True, **fields)
    return capteur_space_issue(capteur=capteur, actor=None)


def send(api, capteur):
    return api.post(f"/api/v1/capteurs/{capteur.id}/space/send/")


def test_a_mobile_capteur_gets_its_space_link_by_sms(
    facilitator_api, territory, django_capture_on_commit_callbacks
):
    # given
    capteur = capteur_with_space(territory, phone=MOBILE)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = send(facilitator_api, capteur)

    # then the SMS is written, then delivered after commit by the console backend
    assert response.status_code == 202, response.json()
    assert response.json() == {"status": "pending", "detail": ""}
    notification = Notification.objects.get()
    assert (notification.channel, notification.template) == (
        Channel.SMS,
        CapteurTemplate.CAPTEUR_SPACE_LINK,
    )
    assert (notification.recipient, notification.territory) == (MOBILE, territory)
    assert capteur.space_url in notification.body
    assert notification.status == NotificationStatus.SENT


def test_a_landline_gets_no_sms_and_the_facilitator_is_told_why(facilitator_api, territory):
    capteur = capteur_with_space(territory, phone=LANDLINE)

    response = send(facilitator_api, capteur)

    assert response.status_code == 202
    assert response.json() == {
        "status": "failed",
        "detail": "Ce numéro n'est pas un mobile : pas de SMS.",
    }
    assert Notification.objects.get().status == NotificationStatus.FAILED


def test_no_sms_before_the_space_exists(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, partner=True, phone=MOBILE)

    response = send(facilitator_api, capteur)

    assert response.status_code == 409
    assert response.json()["code"] == "no_capteur_space"
    assert "créez d'abord son lien" in response.json()["detail"]
    assert not Notification.objects.exists()


def test_no_sms_without_a_phone(facilitator_api, territory):
    capteur = capteur_with_space(territory, phone="")

    response = send(facilitator_api, capteur)

    assert response.status_code == 409
    assert response.json()["code"] == "no_phone"
    assert not Notification.objects.exists()


def test_a_coordinator_of_the_territory_may_send_it_too(api, coordinator, territory):
    capteur = capteur_with_space(territory, phone=MOBILE)
    api.force_authenticate(coordinator)

    assert send(api, capteur).status_code == 202
