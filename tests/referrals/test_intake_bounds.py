"""A bounded public intake: every door (the API, the public form, an SMS) and the intake
service behind them refuse what no honest person sends — lists longer than their vocabulary,
free text past its bound, a service number to call back, a body that is not JSON — and count a
need or a call moment given twice once."""

import phonenumbers
import pytest
from django.core.exceptions import ValidationError

from backend.notifications.inbound import InboundSms
from backend.notifications.models import Notification
from backend.referrals.inbound_sms import handle_code_sms
from backend.referrals.models import Referral
from backend.referrals.services.intake import (
    MAX_NEEDS,
    PHONE_TYPE_MESSAGE,
    Submission,
    referral_submit,
)
from backend.structures.enums import Need
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.conftest import problem_errors

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/intake/"

# Numbers a person may not leave to be called back, by kind (phonenumbers' number types).
SERVICE_NUMBERS = {
    "premium-rate": "08 99 12 34 56",
    "shared-cost": "08 11 12 34 56",
    "toll-free": "08 00 12 34 56",
    "uan": "08 06 12 34 56",
    "personal-forwarding": "+44 70 1112 3456",
}
# Numbers a person may leave: we call them (landlines and box lines get no SMS, but a call).
CALLABLE_NUMBERS = {
    "mobile": "06 12 34 56 78",
    "landline": "05 59 60 12 34",
    "box-voip": "09 75 12 34 56",
    "overseas-mobile": "+262 692 12 34 56",
    "belgian-mobile": "+32 470 12 34 56",
}


@pytest.fixture
def code(territory, facilitator):
    return ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))


def payload(code_, **overrides):
    return {
        "code": code_.token,
        "first_name": "Sam",
        "phone": "06 12 34 56 78",
        "needs": ["emploi"],
        "consent": True,
        **overrides,
    }


# --- the intake API ----------------------------------------------------------------------------


def test_two_thousand_needs_are_refused_and_nobody_is_alerted(api, code):
    response = api.post(URL, payload(code, needs=["emploi"] * 2000))

    assert response.status_code == 400
    assert problem_errors(response)["needs"] == [
        f"Assurez-vous que ce champ n'a pas plus de {MAX_NEEDS} éléments."
    ]
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()


def test_a_need_given_twice_counts_once(api, code):
    response = api.post(URL, payload(code, needs=["emploi", "logement", "emploi"]))

    assert response.status_code == 201
    assert Referral.objects.get().needs == ["emploi", "logement"]


def test_every_need_once_is_accepted(api, code):
    response = api.post(URL, payload(code, needs=Need.values))

    assert response.status_code == 201
    assert Referral.objects.get().needs == Need.values


def test_call_moments_are_bounded_and_counted_once(api, code):
    too_many = api.post(URL, payload(code, call_moments=["morning"] * 5))
    twice = api.post(URL, payload(code, call_moments=["morning", "evening", "morning"]))

    assert too_many.status_code == 400
    assert "call_moments" in problem_errors(too_many)
    assert twice.status_code == 201
    assert Referral.objects.get().call_moments == ["morning", "evening"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "x" * 81, "Assurez-vous que ce champ comporte au plus 80\u00a0caractères."),
        ("note", "x" * 501, "Assurez-vous que ce champ comporte au plus 500\u00a0caractères."),
        (
            "email",
            "a" * 245 + "@example.org",
            "Assurez-vous que ce champ comporte au plus 254\u00a0caractères.",
        ),
        ("website", "x" * 201, "Assurez-vous que ce champ comporte au plus 200\u00a0caractères."),
    ],
)
def test_free_text_is_bounded(api, code, field, value, message):
    response = api.post(URL, payload(code, **{field: value}))

    assert response.status_code == 400
    assert problem_errors(response)[field] == [message]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("kind", SERVICE_NUMBERS)
def test_a_service_number_is_refused(api, code, kind):
    response = api.post(URL, payload(code, phone=SERVICE_NUMBERS[kind]))

    assert response.status_code == 400
    assert problem_errors(response) == {"phone": [str(PHONE_TYPE_MESSAGE)]}
    assert not Referral.objects.exists()


@pytest.mark.parametrize("kind", CALLABLE_NUMBERS)
def test_a_number_we_can_call_back_is_accepted(api, code, kind):
    response = api.post(URL, payload(code, phone=CALLABLE_NUMBERS[kind]))

    assert response.status_code == 201, response.content
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "first_name=Sam&phone=0612345678&consent=true"),
        ("multipart/form-data; boundary=X", '--X\r\nContent-Disposition: form-data; name="a"'),
        ("text/plain", '{"first_name": "Sam"}'),
    ],
)
def test_the_intake_api_takes_json_only(api, code, content_type, body):
    response = api.generic("POST", URL, body, content_type=content_type)

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"].startswith("Type de média")
    assert response.json()["title"] == "Type de contenu non pris en charge"
    assert not Referral.objects.exists()


# --- the intake service, whatever the door -----------------------------------------------------


def a_submission(**overrides):
    return Submission(
        **{"first_name": "Sam", "phone": "+33612345678", "consent": True, **overrides}
    )


@pytest.mark.parametrize("kind", SERVICE_NUMBERS)
def test_the_service_refuses_a_service_number_whoever_calls(code, kind):
    e164 = phonenumbers.format_number(
        phonenumbers.parse(SERVICE_NUMBERS[kind], "FR"), phonenumbers.PhoneNumberFormat.E164
    )
    with pytest.raises(ValidationError) as refused:
        referral_submit(code=code, submission=a_submission(phone=e164))

    assert refused.value.message_dict == {"phone": [str(PHONE_TYPE_MESSAGE)]}
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": "x" * 81}, "first_name"),
        ({"note": "x" * 501}, "note"),
        ({"email": "a" * 250 + "@example.org"}, "email"),
        ({"needs": ["voyance"]}, "needs"),
        ({"call_moments": ["minuit"]}, "call_moments"),
    ],
)
def test_the_service_refuses_what_its_doors_should_have(code, overrides, field):
    with pytest.raises(ValidationError) as refused:
        referral_submit(code=code, submission=a_submission(**overrides))

    assert list(refused.value.message_dict) == [field]
    assert not Referral.objects.exists()


def test_the_service_counts_a_need_given_twice_once(code):
    result = referral_submit(
        code=code,
        submission=a_submission(needs=["emploi"] * 50, call_moments=["morning"] * 50),
    )

    assert result.referral.needs == ["emploi"]
    assert result.referral.call_moments == ["morning"]


def test_a_service_number_texting_a_code_gets_no_referral_and_no_reply(code):
    result = handle_code_sms(
        InboundSms(
            message_sid="SM" + "0" * 32,
            from_number="+33899123456",
            to_number="+33644630101",
            body=code.short_code,
        )
    )

    assert result is None
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()


# --- the public form ---------------------------------------------------------------------------


def form_data(**overrides):
    return {
        "first_name": "Sam",
        "phone": "06 12 34 56 78",
        "needs": ["emploi"],
        "consent": "on",
        "website": "",
        **overrides,
    }


def test_the_form_counts_a_need_ticked_twice_once(client, code):
    response = client.post(code.public_path, form_data(needs=["emploi", "logement", "emploi"]))

    assert response.status_code == 303
    assert Referral.objects.get().needs == ["emploi", "logement"]


def test_the_form_refuses_more_choices_than_it_offers(client, code):
    response = client.post(code.public_path, form_data(needs=["emploi"] * (MAX_NEEDS + 1)))

    assert response.status_code == 422
    assert f"Chaque choix une seule fois : {MAX_NEEDS} au plus." in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize("kind", SERVICE_NUMBERS)
def test_the_form_refuses_a_service_number_in_french(client, code, kind):
    response = client.post(code.public_path, form_data(phone=SERVICE_NUMBERS[kind]))

    assert response.status_code == 422
    page = response.content.decode().replace("&#x27;", "'")
    assert str(PHONE_TYPE_MESSAGE) in page
    assert not Referral.objects.exists()


def test_the_form_bounds_the_email(client, code):
    response = client.post(code.public_path, form_data(phone="", email="a" * 245 + "@example.org"))

    assert response.status_code == 422
    assert not Referral.objects.exists()


def test_a_rule_only_the_service_knows_comes_back_on_the_form(client, code, monkeypatch):
    # given a door that would let a service number through
    monkeypatch.setattr("backend.referrals.forms.phone_refusal", lambda phone: None)

    # when
    response = client.post(code.public_path, form_data(phone="08 99 12 34 56"))

    # then the intake service's refusal is shown on the form, not as a server error
    assert response.status_code == 422
    assert str(PHONE_TYPE_MESSAGE) in response.content.decode().replace("&#x27;", "'")
    assert not Referral.objects.exists()
