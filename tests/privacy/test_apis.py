"""The privacy API: a person's request about their data — find it, export it, erase it —
handled by a member of the territory, each step in the audit trail with no contact in clear."""

import json
import logging
import re

import pytest

from backend.notifications.enums import NotificationStatus
from backend.notifications.models import Notification, SmsOptOut
from backend.privacy.models import PrivacyRequest, contact_digest
from backend.referrals.enums import EventKind, ReferralTemplate
from backend.referrals.models import AccessLog, Referral, ReferralEvent
from tests.accounts.factories import MembershipFactory
from tests.conftest import problem_errors
from tests.privacy.factories import (
    NOTE,
    OTHER_FIRST_NAME,
    OTHER_PHONE,
    PERSON_EMAIL,
    PERSON_PHONE,
    STAFF_NOTE,
    PrivacyRequestFactory,
    footprint,
)

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/privacy/requests/"
FRENCH_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"]
FRENCH_MONTHS += ["septembre", "octobre", "novembre", "décembre"]
ENGLISH_MONTHS = ["January", "February", "March", "April", "June", "July", "August"]
ENGLISH_MONTHS += ["September", "October", "November", "December"]


@pytest.fixture
def person(territory, other_territory, facilitator):
    return footprint(territory, other_territory, facilitator)


def search(api, **data):
    response = api.post(SEARCH, data)
    assert response.status_code == 201, response.content
    return response.json()


def export(api, request_id, suffix="export/"):
    return api.get(f"{SEARCH}{request_id}/{suffix}")


def erase(api, request_id):
    return api.post(f"{SEARCH}{request_id}/erase/")


# --- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["07 81 23 45 67", "0781234567", "07.81.23.45.67", "+33 7 81 23 45 67", "0033781234567"],
)
def test_a_person_is_found_by_their_phone_in_any_french_format(facilitator_api, person, phone):
    found = search(facilitator_api, phone=phone)

    assert [r["reference"] for r in found["referrals"]] == [
        person.first.pseudonym,
        person.second.pseudonym,
    ]
    assert found["kind"] == "search"
    assert found["other_messages"] == 1  # the reply to their SMS, linked to no referral


def test_a_person_is_found_by_their_email_whatever_its_case(facilitator_api, person):
    found = search(facilitator_api, email="Zephyrine@Example.ORG")

    assert [r["id"] for r in found["referrals"]] == [person.first.id]


def test_a_search_shows_no_personal_data_and_stores_no_contact_in_clear(
    facilitator_api, person, facilitator
):
    # when
    found = search(facilitator_api, phone="07 81 23 45 67", email=PERSON_EMAIL)

    # then the answer names referrals by reference only
    text = json.dumps(found)
    for personal in ("Zéphyrine", "Zéph", PERSON_PHONE, "781234567", PERSON_EMAIL, NOTE):
        assert personal not in text
    # and the audit row keeps keyed hashes, which match the same contact again
    row = PrivacyRequest.objects.get()
    stored = json.dumps(PrivacyRequest.objects.values().get(), default=str)
    assert "781234567" not in stored and "zephyrine" not in stored.lower()
    assert row.phone_digest == contact_digest(PERSON_PHONE)
    assert row.email_digest == contact_digest(PERSON_EMAIL.upper())
    assert (row.requested_by, row.referral_ids) == (
        facilitator,
        [person.first.id, person.second.id],
    )
    assert row.completed_at is not None


def test_a_search_stays_in_the_territory(facilitator_api, person, other_territory):
    found = search(facilitator_api, phone=PERSON_PHONE)

    assert person.elsewhere.id not in [r["id"] for r in found["referrals"]]
    assert person.someone_else.id not in [r["id"] for r in found["referrals"]]


def test_a_search_needs_a_phone_or_an_email(facilitator_api):
    response = facilitator_api.post(SEARCH, {"phone": "", "email": ""})

    assert response.status_code == 400
    assert problem_errors(response) == {
        "phone": ["Indiquez le numéro de téléphone ou l'adresse e-mail de la personne."]
    }
    assert not PrivacyRequest.objects.exists()


def test_a_member_of_two_territories_says_which_one_handles_the_request(
    api, territory, other_territory, person
):
    # given a facilitator here who coordinates another territory
    user = MembershipFactory(territory=territory).user
    MembershipFactory(territory=other_territory, user=user, coordinator=True)
    api.force_authenticate(user)

    # when they search without naming the territory, then naming each
    unnamed = api.post(SEARCH, {"phone": PERSON_PHONE})
    here = search(api, phone=PERSON_PHONE, territory=territory.id)
    there = search(api, phone=PERSON_PHONE, territory=other_territory.id)

    # then
    assert problem_errors(unnamed) == {
        "territory": ["Choisissez le territoire qui traite la demande."]
    }
    assert [r["id"] for r in here["referrals"]] == [person.first.id, person.second.id]
    assert [r["id"] for r in there["referrals"]] == [person.elsewhere.id]


def test_a_search_in_a_territory_one_is_no_member_of_is_refused(
    facilitator_api, person, other_territory
):
    response = facilitator_api.post(
        SEARCH, {"phone": PERSON_PHONE, "territory": other_territory.id}
    )

    assert response.status_code == 400
    assert "territory" in problem_errors(response)
    assert not PrivacyRequest.objects.exists()


# --- export ----------------------------------------------------------------------------------


def test_the_export_gives_the_person_everything_held_on_them(facilitator_api, person):
    # given
    request_id = search(facilitator_api, phone=PERSON_PHONE)["id"]

    # when
    response = export(facilitator_api, request_id)

    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    document = response.json()
    first, second = document["referrals"]
    assert first["reference"] == person.first.pseudonym
    assert (first["first_name"], first["phone"], first["email"], first["note"]) == (
        "Zéphyrine",
        PERSON_PHONE,
        PERSON_EMAIL,
        NOTE,
    )
    assert first["needs_labels"] == ["Emploi", "Mobilité"]
    assert first["call_moments_labels"] == ["En fin de journée"]
    assert first["capteur"] == "Bar-tabac du Centre"
    assert first["consent_version"] == person.first.consent_version
    assert first["status_label"] == "Orientée"
    assert [o["structure"] for o in first["orientations"]] == ["Mission locale d'Orthez"]
    assert {"kind": "note", "label": "Note", "detail": STAFF_NOTE}.items() <= next(
        e for e in first["events"] if e["kind"] == "note"
    ).items()
    assert second["first_name"] == "Zéph"
    # the messages sent to them: their two acknowledgments and the reply, never staff alerts
    assert sorted(m["template"] for m in document["messages"]) == [
        "inbound_reply",
        "person_acknowledgment",
        "person_acknowledgment",
    ]
    assert {m["label"] for m in document["messages"]} == {
        "Accusé de réception (personne)",
        "Réponse à un SMS reçu",
    }
    assert OTHER_FIRST_NAME not in response.content.decode()


def test_an_export_is_in_the_audit_trail_and_the_access_log(api, person, territory):
    # given a coordinator, who otherwise sees referrals pseudonymised
    coordinator = MembershipFactory(territory=territory, coordinator=True).user
    api.force_authenticate(coordinator)
    request_id = search(api, phone=PERSON_PHONE)["id"]

    # when
    export(api, request_id)
    export(api, request_id, "export.html")

    # then
    steps = PrivacyRequest.objects.filter(search_id=request_id)
    assert [s.kind for s in steps] == ["export", "export"]
    assert all(s.requested_by == coordinator for s in steps)
    logged = AccessLog.objects.filter(user=coordinator, action=AccessLog.Action.EXPORT)
    assert sorted(logged.values_list("referral_id", flat=True)) == sorted(
        [person.first.id, person.second.id] * 2
    )


def test_the_export_costs_a_fixed_number_of_queries(
    facilitator_api, person, django_assert_max_real_queries
):
    request_id = search(facilitator_api, phone=PERSON_PHONE)["id"]

    # roles, the search, referrals, events, orientations (with structures), messages, and
    # two INSERTs (access log, audit trail): whatever the number of referrals
    with django_assert_max_real_queries(8):
        response = export(facilitator_api, request_id)

    assert response.status_code == 200


def test_the_export_as_a_page_is_plain_french_to_print(facilitator_api, person):
    request_id = search(facilitator_api, phone=PERSON_PHONE)["id"]

    response = export(facilitator_api, request_id, "export.html")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert '<html lang="fr">' in page
    for text in (
        "Vos informations chez Relais Ouest Béarn",
        f"Votre demande {person.first.pseudonym}",
        "Zéphyrine",
        PERSON_PHONE,
        "Je cherche du travail près d&#x27;Orthez.",
        "Mission locale d&#x27;Orthez",
        "Accusé de réception (personne)",
        "Emploi, Mobilité",
    ):
        assert text in page, text
    assert "Nouvelle orientation (facilitateur)" not in page
    assert "<script" not in page


def test_the_export_page_stays_french_for_a_browser_asking_for_english(facilitator_api, person):
    request_id = search(facilitator_api, phone=PERSON_PHONE)["id"]

    page = facilitator_api.get(
        f"{SEARCH}{request_id}/export.html", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Vos informations chez Relais" in page
    assert any(month in page for month in FRENCH_MONTHS)
    # Whole words: a generated staff name such as "Augustin" holds "August".
    assert not any(re.search(rf"\b{month}\b", page) for month in ENGLISH_MONTHS)


def test_only_a_search_can_be_exported_or_erased(facilitator_api, territory):
    export_row = PrivacyRequestFactory(territory=territory, kind=PrivacyRequest.Kind.EXPORT)

    assert export(facilitator_api, export_row.id).status_code == 404
    assert erase(facilitator_api, export_row.id).status_code == 404


# --- erasure ---------------------------------------------------------------------------------


def test_erasure_anonymises_everything_found_at_once(facilitator_api, person, facilitator):
    # given the person asked STOP once, and a search for them
    SmsOptOut.objects.create(phone=PERSON_PHONE)
    request_id = search(facilitator_api, phone=PERSON_PHONE)["id"]

    # when
    response = erase(facilitator_api, request_id)

    # then both referrals are anonymised, with an event saying why and by whom
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "erasure"
    assert [r["anonymised"] for r in body["referrals"]] == [True, True]
    for referral in person.referrals:
        referral.refresh_from_db()
        assert (referral.first_name, str(referral.phone), referral.email, referral.note) == (
            "",
            "",
            "",
            "",
        )
        event = ReferralEvent.objects.get(referral=referral, kind=EventKind.ANONYMISED)
        assert (event.actor, event.payload) == (facilitator, {"reason": "erasure"})
    # the messages to them and about them are blank, the reply to their SMS too
    blanked = Notification.objects.filter(
        referral__in=person.referrals
    ) | Notification.objects.filter(pk=person.reply.pk)
    assert set(blanked.values_list("recipient", "body")) == {("", "")}
    # the others' data is untouched, and STOP is still honoured
    person.someone_else.refresh_from_db()
    person.elsewhere.refresh_from_db()
    assert person.someone_else.first_name == OTHER_FIRST_NAME
    assert str(person.elsewhere.phone) == PERSON_PHONE
    assert SmsOptOut.objects.filter(phone=PERSON_PHONE).exists()
    assert PrivacyRequest.objects.get(kind="erasure").completed_at is not None


def test_erasing_twice_changes_nothing_more(facilitator_api, person):
    request_id = search(facilitator_api, phone=PERSON_PHONE)["id"]
    erase(facilitator_api, request_id)
    first_time = list(Referral.objects.order_by("id").values())

    response = erase(facilitator_api, request_id)

    assert response.status_code == 200
    assert list(Referral.objects.order_by("id").values()) == first_time
    assert ReferralEvent.objects.filter(kind=EventKind.ANONYMISED).count() == 2
    assert PrivacyRequest.objects.filter(kind="erasure").count() == 2


def test_after_erasure_the_person_is_found_no_more_and_the_export_is_empty_of_them(
    facilitator_api, person
):
    request_id = search(facilitator_api, phone=PERSON_PHONE)["id"]
    erase(facilitator_api, request_id)

    again = search(facilitator_api, phone=PERSON_PHONE)
    document = export(facilitator_api, request_id).json()

    assert again["referrals"] == [] and again["other_messages"] == 0
    assert all(r["first_name"] == "" and r["anonymised_at"] for r in document["referrals"])
    assert STAFF_NOTE not in json.dumps(document)


def test_a_pending_message_to_an_erased_person_is_cancelled(facilitator_api, person):
    Notification.objects.filter(referral=person.first).update(status=NotificationStatus.PENDING)
    request_id = search(facilitator_api, phone=PERSON_PHONE)["id"]

    erase(facilitator_api, request_id)

    acknowledgment = Notification.objects.get(
        referral=person.first, template=ReferralTemplate.PERSON_ACKNOWLEDGMENT
    )
    assert acknowledgment.status == NotificationStatus.FAILED
    assert acknowledgment.last_error == "Annulé : les données de la personne ont été effacées."


def test_privacy_requests_log_no_personal_data(facilitator_api, person, caplog):
    caplog.set_level(logging.DEBUG)

    request_id = search(facilitator_api, phone=PERSON_PHONE, email=PERSON_EMAIL)["id"]
    export(facilitator_api, request_id)
    erase(facilitator_api, request_id)

    logged = caplog.text
    assert "privacy erasure" in logged
    for personal in ("Zéphyrine", "781234567", PERSON_EMAIL, NOTE, STAFF_NOTE, OTHER_PHONE):
        assert personal not in logged
