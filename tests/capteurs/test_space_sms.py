"""A capteur gets its space link on request: by SMS (its phone or the manager's mobile), by
e-mail, as a QR code on the facilitator's screen, or on a printed welcome sheet."""

import pytest

from backend.capteurs.enums import CapteurTemplate
from backend.capteurs.services import capteur_space_issue
from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.models import Notification
from tests.capteurs.factories import CapteurFactory
from tests.capteurs.test_printing import decoded, first_page, svg_as_image

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


# --- a shop with a landline gets its space link anyway ---------------------------------------


def test_a_landline_shop_gets_its_link_by_sms_to_the_managers_mobile(
    facilitator_api, territory, django_capture_on_commit_callbacks
):
    capteur = capteur_with_space(territory, phone=LANDLINE)

    with django_capture_on_commit_callbacks(execute=True):
        response = facilitator_api.post(
            f"/api/v1/capteurs/{capteur.id}/space/send/",
            {"channel": "sms", "phone": "06 12 34 56 78"},
            format="json",
        )

    assert response.status_code == 202, response.json()
    notification = Notification.objects.get()
    assert (notification.recipient, notification.status) == (MOBILE, NotificationStatus.SENT)
    assert capteur.space_url in notification.body


@pytest.mark.parametrize("given", ["", "gerant@example.org"])
def test_the_link_goes_by_email_to_the_capteurs_address_or_one_given(
    facilitator_api, territory, given
):
    capteur = capteur_with_space(territory, phone=LANDLINE, email="epicerie@example.org")

    response = facilitator_api.post(
        f"/api/v1/capteurs/{capteur.id}/space/send/",
        {"channel": "email", "email": given},
        format="json",
    )

    assert response.status_code == 202, response.json()
    notification = Notification.objects.get()
    assert notification.channel == Channel.EMAIL
    assert notification.recipient == (given or "epicerie@example.org")
    assert capteur.space_url in notification.body
    assert territory.name in notification.subject


def test_no_email_without_an_address(facilitator_api, territory):
    capteur = capteur_with_space(territory, email="")

    response = facilitator_api.post(
        f"/api/v1/capteurs/{capteur.id}/space/send/", {"channel": "email"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "no_email"


def test_a_wrong_managers_number_is_refused_per_field(facilitator_api, territory):
    capteur = capteur_with_space(territory, phone=LANDLINE)

    response = facilitator_api.post(
        f"/api/v1/capteurs/{capteur.id}/space/send/", {"phone": "12"}, format="json"
    )

    assert response.status_code == 400
    assert not Notification.objects.exists()


def test_the_space_qr_shown_on_screen_decodes_to_the_space_link(facilitator_api, territory):
    capteur = capteur_with_space(territory)

    response = facilitator_api.get(f"/api/v1/capteurs/{capteur.id}/space/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "no-store" in response["Cache-Control"]
    assert decoded(svg_as_image(response.content)) == [capteur.space_url]


def test_the_welcome_sheet_carries_the_space_link_and_plain_instructions(
    facilitator_api, territory
):
    capteur = capteur_with_space(territory, name="Bar-tabac du Centre")

    response = facilitator_api.get(f"/api/v1/capteurs/{capteur.id}/space/welcome.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="bienvenue-bar-tabac-du-centre.pdf"'
    )
    page = first_page(response.content)
    assert decoded(page.image) == [capteur.space_url]
    for words in ("Ouest Béarn", "Imprimer une affiche", "Orienter quelqu", "Ce que disent"):
        assert words in page.text


@pytest.mark.parametrize("what", ["qr.svg", "welcome.pdf"])
def test_no_qr_nor_sheet_before_the_space_exists(facilitator_api, territory, what):
    capteur = CapteurFactory(territory=territory, partner=True)

    response = facilitator_api.get(f"/api/v1/capteurs/{capteur.id}/space/{what}")

    assert response.status_code == 409
    assert response.json()["code"] == "no_capteur_space"


def test_a_rotated_link_kills_the_old_one_at_once(facilitator_api, client, territory):
    capteur = capteur_with_space(territory)
    old = capteur.space_url

    facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/space/")
    capteur.refresh_from_db()

    assert capteur.space_url != old
    assert client.get("/" + old.split("://", 1)[1].split("/", 1)[1]).status_code == 404
    assert (
        client.get("/" + capteur.space_url.split("://", 1)[1].split("/", 1)[1]).status_code == 200
    )
