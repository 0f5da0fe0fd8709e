"""The privacy notice (/confidentialite) keeps its word: each promise it makes to referred
people is proven here by what the code does, one test per promise, named after it.

PROMISES maps a sentence of the notice to the test that proves it:
`test_every_promise_of_the_notice_is_proven` fails when the notice drops a sentence without
its test being reviewed, and a promise whose behaviour breaks fails its own test.
"""

import datetime
import html

import pytest
from django.urls import reverse

from backend.capteurs.services import capteur_space_issue
from backend.notifications.delivery import deliver
from backend.notifications.enums import NotificationStatus
from backend.notifications.inbound import handle_inbound_sms
from backend.notifications.models import SmsOptOut
from backend.referrals.enums import EventKind
from backend.referrals.models import AccessLog, Referral, ReferralEvent
from backend.referrals.notifications import capteur_summaries_create
from backend.referrals.services import triage
from backend.referrals.tasks import anonymise_expired
from tests.accounts.factories import MembershipFactory, TerritoryFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.notifications.factories import (
    NotificationFactory,
    forbid_real_twilio_http,
    freeze,
    paris,
    use_fake_twilio,
)
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

PERSON = "Zéphyrine"
PHONE = "+33781234567"
NOTE = "Je cherche du travail près d'Orthez."
STAFF_NOTE = "Suivie au CMP le mardi."
NOW = paris(2026, 12, 3, 3, 0)


def notice(client, territory=None) -> str:
    path = "/confidentialite" + (f"?t={territory.slug}" if territory else "")
    return html.unescape(client.get(path).content.decode()).replace("\u00a0", " ")


@pytest.fixture
def person(territory, facilitator):
    """A person referred through a partner's code, with a staff note about them."""
    capteur = capteur_space_issue(
        capteur=CapteurFactory(territory=territory, partner=True), actor=None
    )
    referral = ReferralFactory(
        capteur=capteur,
        code=ReferralCodeFactory(capteur=capteur),
        first_name=PERSON,
        phone=PHONE,
        email="zephyrine@example.org",
        note=NOTE,
        assigned_to=facilitator,
    )
    triage.referral_add_note(referral=referral, text=STAFF_NOTE, actor=facilitator)
    return referral


# --- "Combien de temps ?" ----------------------------------------------------------------------


def test_promise_kept_as_long_as_the_territory_says_then_erased(client, monkeypatch):
    # given a territory keeping data 36 months, whose notice says so
    territory = TerritoryFactory(slug="haut-bearn", retention_months=36)
    assert "Puis encore 36 mois." in notice(client, territory)
    clock = freeze(monkeypatch, NOW)

    # and two referrals whose last event is 35 and 37 months old
    def touched(months_ago):
        clock.set(NOW - datetime.timedelta(days=round(30.44 * months_ago)))
        referral = ReferralFactory(capteur__territory=territory, first_name=PERSON, note=NOTE)
        clock.set(NOW)
        return referral

    kept, past = touched(35), touched(37)

    # when the nightly job runs
    anonymise_expired()

    # then the one past 36 months is erased, the other kept
    kept.refresh_from_db()
    past.refresh_from_db()
    assert kept.first_name == PERSON
    assert (past.first_name, past.note, past.anonymised_at is not None) == ("", "", True)


def test_promise_the_months_count_from_the_last_thing_done(client, territory, monkeypatch):
    # "Ces mois comptent à partir de la dernière chose faite pour vous"
    clock = freeze(monkeypatch, NOW - datetime.timedelta(days=800))
    referral = ReferralFactory(capteur__territory=territory, first_name=PERSON)
    clock.set(NOW - datetime.timedelta(days=30))
    ReferralEvent.objects.create(referral=referral, kind=EventKind.NOTE, payload={"text": "RDV"})
    clock.set(NOW)

    anonymise_expired()

    referral.refresh_from_db()
    assert referral.anonymised_at is None


def test_promise_name_number_email_message_and_notes_are_erased_counts_stay(person, monkeypatch):
    # given the person's referral untouched for 25 months
    Referral.objects.filter(pk=person.pk).update(created_at=NOW - datetime.timedelta(days=800))
    ReferralEvent.objects.filter(referral=person).update(at=NOW - datetime.timedelta(days=760))
    freeze(monkeypatch, NOW)

    # when
    anonymise_expired()

    # then what the notice lists is erased; dates and figures stay
    person.refresh_from_db()
    assert (person.first_name, str(person.phone), person.email, person.note) == ("", "", "", "")
    assert ReferralEvent.objects.get(referral=person, kind=EventKind.NOTE).payload["text"] == ""
    assert (person.created_at, person.status, person.needs) == (
        NOW - datetime.timedelta(days=800),
        "new",
        ["emploi"],
    )


# --- "Qui voit vos informations ?" -------------------------------------------------------------


def test_promise_only_the_team_that_helps_sees_it(person, facilitator_api, coordinator_api):
    mine = facilitator_api.get(f"/api/v1/referrals/{person.id}/").json()
    theirs = coordinator_api.get(f"/api/v1/referrals/{person.id}/").json()
    stranger = MembershipFactory().user
    facilitator_api.force_authenticate(stranger)

    assert (mine["first_name"], mine["phone"]) == (PERSON, PHONE)
    assert facilitator_api.get(f"/api/v1/referrals/{person.id}/").status_code == 404
    # "Le coordinateur du réseau voit des chiffres, sans votre nom."
    assert (theirs["first_name"], theirs["phone"], theirs["email"], theirs["note"]) == (
        None,
        None,
        None,
        None,
    )
    events = coordinator_api.get(f"/api/v1/referrals/{person.id}/events/").json()
    assert STAFF_NOTE not in str(events)


def test_promise_every_read_is_noted(person, facilitator_api, facilitator):
    facilitator_api.get(f"/api/v1/referrals/{person.id}/")
    facilitator_api.get("/api/v1/referrals/")

    assert list(
        AccessLog.objects.filter(referral=person, user=facilitator).values_list("action", flat=True)
    ) == ["list", "view"]


def test_promise_the_capteur_never_sees_it(client, person, monkeypatch):
    # its space shows counts only
    space = client.get(f"/c/{person.capteur.space_secret}").content.decode()
    assert PERSON not in space and "781234567" not in space and "travail" not in space
    # and so does its monthly summary
    person.capteur.summary_channel = "email"
    person.capteur.email = "bar@example.org"
    person.capteur.save()
    capteur_summaries_create(month=person.created_at.date().replace(day=1))
    summary = person.capteur.summaries.get().notification
    assert PERSON not in summary.body and "781234567" not in summary.body


def test_promise_whoever_handles_a_request_sees_it_and_it_is_noted(
    person, coordinator_api, coordinator
):
    search = coordinator_api.post("/api/v1/privacy/requests/", {"phone": PHONE}).json()

    document = coordinator_api.get(f"/api/v1/privacy/requests/{search['id']}/export/").json()

    assert document["referrals"][0]["first_name"] == PERSON
    assert AccessLog.objects.filter(
        referral=person, user=coordinator, action=AccessLog.Action.EXPORT
    ).exists()


# --- "Vos droits" ------------------------------------------------------------------------------


def test_promise_see_it_and_get_a_copy(person, facilitator_api):
    search = facilitator_api.post("/api/v1/privacy/requests/", {"phone": "07 81 23 45 67"})
    request_id = search.json()["id"]

    as_data = facilitator_api.get(f"/api/v1/privacy/requests/{request_id}/export/").json()
    as_page = facilitator_api.get(f"/api/v1/privacy/requests/{request_id}/export.html")

    assert as_data["referrals"][0]["note"] == NOTE
    assert PERSON in as_page.content.decode()


def test_promise_have_it_corrected(person, facilitator_api):
    response = facilitator_api.patch(
        f"/api/v1/referrals/{person.id}/contact/", {"phone": "07 81 23 45 68"}
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert str(person.phone) == "+33781234568"


def test_promise_have_it_erased_all_at_once(person, facilitator_api, territory):
    # given a second referral of the same person
    again = ReferralFactory(capteur__territory=territory, first_name="Zéph", phone=PHONE)
    search = facilitator_api.post("/api/v1/privacy/requests/", {"phone": PHONE}).json()

    # when
    response = facilitator_api.post(f"/api/v1/privacy/requests/{search['id']}/erase/")

    # then
    assert response.status_code == 200
    for referral in (person, again):
        referral.refresh_from_db()
        assert (referral.first_name, str(referral.phone)) == ("", "")


# --- "Les SMS" ---------------------------------------------------------------------------------


def test_promise_stop_ends_sms_for_good_even_after_erasure(
    client, person, facilitator_api, monkeypatch, settings
):
    # the notice gives the territory's number for STOP
    assert f"Envoyez STOP au {person.territory.sms_number.as_national}." in notice(
        client, person.territory
    )
    forbid_real_twilio_http(monkeypatch)
    twilio = use_fake_twilio(monkeypatch, settings)
    freeze(monkeypatch, paris(2026, 6, 9, 14, 0))

    # given the person texted STOP, then asked for their data to be erased
    handle_inbound_sms(message_sid="SM1", from_number=PHONE, to_number="+33644630101", body="STOP")
    search = facilitator_api.post("/api/v1/privacy/requests/", {"phone": PHONE}).json()
    facilitator_api.post(f"/api/v1/privacy/requests/{search['id']}/erase/")

    # when something is later sent to that number
    later = NotificationFactory(territory=person.territory, to_person=True, recipient=PHONE)
    deliver(later.pk)

    # then nothing leaves: the opt-out was kept
    later.refresh_from_db()
    assert SmsOptOut.objects.filter(phone=PHONE).exists()
    assert later.status == NotificationStatus.FAILED
    assert twilio.requests == []


# --- every promise has its proof ---------------------------------------------------------------

PROMISES = {
    "Puis encore 24 mois.": test_promise_kept_as_long_as_the_territory_says_then_erased,
    "Ces mois comptent à partir de la dernière chose faite pour vous": (
        test_promise_the_months_count_from_the_last_thing_done
    ),
    "nous effaçons votre prénom, votre numéro, votre e-mail, votre message et les notes": (
        test_promise_name_number_email_message_and_notes_are_erased_counts_stay
    ),
    "Nous gardons seulement des dates et des chiffres, sans nom.": (
        test_promise_name_number_email_message_and_notes_are_erased_counts_stay
    ),
    "Seulement les personnes de l’équipe qui vous aident.": (
        test_promise_only_the_team_that_helps_sees_it
    ),
    "Le coordinateur du réseau voit des chiffres, sans votre nom.": (
        test_promise_only_the_team_that_helps_sees_it
    ),
    "Chaque fois qu’elles les lisent, c’est noté.": test_promise_every_read_is_noted,
    "Le commerce ou l’association qui vous a donné le lien ne les voit pas.": (
        test_promise_the_capteur_never_sees_it
    ),
    "La personne qui s’occupe de votre demande voit vos informations. C’est noté aussi.": (
        test_promise_whoever_handles_a_request_sees_it_and_it_is_noted
    ),
    "voir les informations que nous avons sur vous": test_promise_see_it_and_get_a_copy,
    "en recevoir une copie": test_promise_see_it_and_get_a_copy,
    "les faire corriger": test_promise_have_it_corrected,
    "les faire effacer": test_promise_have_it_erased_all_at_once,
    "Nous effaçons tout en une fois.": test_promise_have_it_erased_all_at_once,
    "Envoyez STOP": test_promise_stop_ends_sms_for_good_even_after_erasure,
    "Nous le gardons même si vous demandez d’effacer vos informations": (
        test_promise_stop_ends_sms_for_good_even_after_erasure
    ),
}


def test_every_promise_of_the_notice_is_proven(client):
    text = notice(client)

    missing = [promise for promise in PROMISES if promise not in text]

    assert missing == []
    assert reverse("privacy-request-list") == "/api/v1/privacy/requests/"
