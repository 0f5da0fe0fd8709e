"""The texts Relais sends: GSM-7 (a single other character makes an SMS cost up to three times
more), one or two SMS long, and nothing of the person in what staff receive."""

import datetime

import pytest
from django.test import override_settings

from backend.capteurs.notifications import capteur_space_link_message
from backend.notifications import gsm7
from backend.referrals import messages
from backend.structures.enums import Need
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

NOTE = "Sortie d'hôpital, je n'ai plus de logement."
FIRST_NAME = "Maëlle"
PHONE = "+33781234567"


@pytest.fixture
def facilitator(territory):
    return MembershipFactory(territory=territory, facilitator=True, user__first_name="Benoît").user


def a_referral(territory, facilitator=None, *, capteur_name="Bar-tabac Le Central", **fields):
    return ReferralFactory(
        capteur=CapteurFactory(territory=territory, partner=True, name=capteur_name),
        assigned_to=facilitator,
        first_name=FIRST_NAME,
        phone=PHONE,
        note=NOTE,
        **{
            "needs": [Need.EMPLOI, Need.LOGEMENT],
            "first_contact_due_on": datetime.date(2026, 6, 11),
            **fields,
        },
    )


def sms_bodies(referral, territory):
    capteur = referral.capteur
    capteur.space_secret = "s3cr3t-link"
    return {
        "facilitator_new_referral": messages.facilitator_new_referral(referral),
        "person_acknowledgment": messages.person_acknowledgment(referral),
        "inbound_reply_unknown_code": messages.inbound_reply_unknown_code(territory),
        "inbound_reply_unknown_code_no_territory": messages.inbound_reply_unknown_code(None),
        "capteur_space_link": capteur_space_link_message(capteur),
    }


def test_every_sms_of_a_typical_referral_is_gsm7_and_fits_one_sms(territory, facilitator):
    referral = a_referral(territory, facilitator)

    for name, body in sms_bodies(referral, territory).items():
        assert gsm7.is_gsm7(body), name
        if name == "facilitator_new_referral":
            continue  # with its link to the app: two SMS at most (below)
        assert len(body) <= 160, (name, len(body))
        assert gsm7.sms_segments(body) == 1, name


@override_settings(PUBLIC_BASE_URL="https://orientation.ouest-bearn.example.fr")
def test_the_facilitators_alert_links_to_the_referral_in_the_app(territory, facilitator):
    referral = a_referral(territory, facilitator)

    alert = messages.facilitator_new_referral(referral)

    assert alert.endswith(
        f" https://orientation.ouest-bearn.example.fr/app/orientations/{referral.pk}"
    )
    assert gsm7.is_gsm7(alert)
    assert gsm7.sms_segments(alert) <= 2


@pytest.mark.parametrize("month", range(1, 13))
def test_the_due_date_is_gsm7_whatever_the_month(territory, facilitator, month):
    # "août" has a û, which GSM-7 does not have.
    referral = a_referral(
        territory, facilitator, first_contact_due_on=datetime.date(2026, month, 3)
    )

    for body in (
        messages.facilitator_new_referral(referral),
        messages.person_acknowledgment(referral),
    ):
        assert gsm7.is_gsm7(body), body


def test_names_typed_by_people_do_not_turn_an_sms_into_unicode(territory):
    # given a capteur and a facilitator whose names carry letters outside GSM-7
    facilitator = MembershipFactory(
        territory=territory, facilitator=True, user__first_name="Anaïs-Chloé"
    ).user
    referral = a_referral(
        territory, facilitator, capteur_name="Café de l’Hôtel — Chez Benoît « Œnologie »"
    )

    # then the texts keep them readable, in GSM-7 (é is GSM-7; ï, ô, î, Œ, ’, — are not)
    alert = messages.facilitator_new_referral(referral)
    acknowledgment = messages.person_acknowledgment(referral)
    assert "de Café de l'Hotel - Chez Benoit \" OEnolo.... Besoins" in alert
    assert "Anais-Chloé vous appellera" in acknowledgment
    assert gsm7.is_gsm7(alert) and gsm7.is_gsm7(acknowledgment)


def test_the_longest_alert_and_acknowledgment_fit_two_sms(territory):
    # given every need, a very long capteur name and a very long first name
    facilitator = MembershipFactory(
        territory=territory, facilitator=True, user__first_name="Marie-Bernadette-Joséphine"
    ).user
    referral = a_referral(
        territory,
        facilitator,
        capteur_name="Association intercommunale d'entraide et de solidarité du Haut-Béarn",
        needs=list(Need.values),
        first_contact_due_on=datetime.date(2026, 9, 30),  # mercredi 30 septembre
    )

    for body in (
        messages.facilitator_new_referral(referral),
        messages.person_acknowledgment(referral),
    ):
        assert gsm7.is_gsm7(body)
        assert len(body) <= 306, (len(body), body)
        assert gsm7.sms_segments(body) <= 2


def test_staff_messages_never_carry_the_persons_name_number_or_note(territory, facilitator):
    referral = a_referral(territory, facilitator)
    overdue = a_referral(territory, facilitator, first_contact_due_on=datetime.date(2026, 6, 1))
    unassigned = a_referral(territory)

    staff_texts = [
        messages.facilitator_new_referral(referral),
        *messages.coordinator_unassigned(unassigned),
        *messages.coordinator_digest(territory, overdue=[overdue], unassigned=[unassigned]),
    ]

    for text in staff_texts:
        for personal in (FIRST_NAME, "Maelle", PHONE, "07 81 23 45 67", "hôpital", "hopital"):
            assert personal not in text
    assert referral.pseudonym in staff_texts[0]


def test_the_persons_acknowledgment_says_who_calls_and_by_when(territory, facilitator):
    referral = a_referral(territory, facilitator)

    assert messages.person_acknowledgment(referral) == (
        "Bonjour, c'est Relais. Votre demande est bien arrivée. Benoit vous appellera au plus "
        "tard le jeudi 11 juin. STOP au 0644630101 pour ne plus recevoir de SMS."
    )


def test_without_a_facilitator_the_acknowledgment_names_the_team(territory):
    referral = a_referral(territory)

    assert "Une personne de l'équipe vous appellera" in messages.person_acknowledgment(referral)


# --- GSM-7 arithmetic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Relais: à jeudi, c'est noté !", True),
        ("Prix: 5€ [promo]", True),  # extension table: GSM-7, two septets each
        ("l’apostrophe typographique", False),
        ("15 août", False),
        ("Anaïs", False),
        ("ça", False),  # only the capital Ç is in GSM-7
        ("espace\u00a0insécable", False),
    ],
)
def test_gsm7_detection(text, expected):
    assert gsm7.is_gsm7(text) is expected


def test_to_gsm7_keeps_french_letters_gsm7_has_and_simplifies_the_others():
    assert gsm7.to_gsm7("Élodie, à côté du café « Œil » – 15 août…") == (
        'Élodie, à coté du café " OEil " - 15 aout...'
    )


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("€" * 80, 1),  # 160 septets
        ("€" * 81, 2),
        ("î" * 70, 1),  # UCS-2
        ("î" * 71, 2),
    ],
)
def test_sms_segments(text, segments):
    assert gsm7.sms_segments(text) == segments
