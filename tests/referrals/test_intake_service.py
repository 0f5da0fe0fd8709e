"""The one intake entry point owns every rule of a new referral, whichever door it came
through: the API, the public form, the capteur space and an SMS all cross into
`referrals.services.intake.referral_submit`, and nothing else creates a referral."""

import ast
import pathlib

import pytest
from django.core.exceptions import ValidationError

from backend.referrals.enums import Channel
from backend.referrals.models import Referral
from backend.referrals.services.intake import (
    CodeInactive,
    CodeRateLimited,
    Submission,
    referral_submit,
)
from backend.referrals.throttles import ReferralCodeThrottle
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

pytestmark = pytest.mark.django_db

BACKEND = pathlib.Path(__file__).resolve().parents[2] / "backend"
INTAKE = BACKEND / "referrals" / "services" / "intake.py"


@pytest.fixture
def code(territory, facilitator):
    return ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))


def a_submission(**overrides):
    return Submission(
        **{"first_name": "Sam", "phone": "+33612345678", "consent": True, **overrides}
    )


def test_a_submission_without_consent_is_refused_whoever_calls(code):
    with pytest.raises(ValidationError) as refused:
        referral_submit(code=code, submission=a_submission(consent=False))

    assert list(refused.value.message_dict) == ["consent"]
    assert not Referral.objects.exists()


def test_a_submission_with_neither_phone_nor_email_is_refused_whoever_calls(code):
    with pytest.raises(ValidationError) as refused:
        referral_submit(code=code, submission=a_submission(phone="", email=""))

    assert refused.value.message_dict == {
        "phone": ["Laissez un numéro de téléphone, ou à défaut une adresse e-mail."]
    }
    assert not Referral.objects.exists()


def test_a_revoked_code_takes_no_referral_whoever_calls(territory):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    with pytest.raises(CodeInactive):
        referral_submit(code=code, submission=a_submission())

    assert not Referral.objects.exists()


def test_the_per_code_limit_holds_for_every_door_sms_included(code, monkeypatch):
    # given a code that may take one referral an hour
    monkeypatch.setattr(ReferralCodeThrottle, "THROTTLE_RATES", {"referral_code": "1/hour"})
    referral_submit(code=code, submission=a_submission(channel=Channel.QR))

    # when a second person texts the same code
    with pytest.raises(CodeRateLimited) as limited:
        referral_submit(
            code=code, submission=a_submission(phone="+33612345679", channel=Channel.SMS)
        )

    # then it is refused with the time to wait, and only the first referral exists
    assert limited.value.wait > 0
    assert Referral.objects.count() == 1


def test_invalid_submissions_do_not_use_up_the_code(code, monkeypatch):
    # given a code that may take one referral an hour, and junk sent through it
    monkeypatch.setattr(ReferralCodeThrottle, "THROTTLE_RATES", {"referral_code": "1/hour"})
    for _ in range(3):
        with pytest.raises(ValidationError):
            referral_submit(code=code, submission=a_submission(consent=False))

    # when a person submits properly
    result = referral_submit(code=code, submission=a_submission())

    # then it goes through
    assert result.created


def test_the_same_number_texting_the_same_capteur_again_gets_the_first_referral(code):
    first = referral_submit(code=code, submission=a_submission(channel=Channel.SMS))

    again = referral_submit(code=code, submission=a_submission(channel=Channel.SMS))

    assert (again.referral, again.created) == (first.referral, False)
    assert Referral.objects.count() == 1


def test_the_same_number_through_the_form_is_a_new_referral_flagged_as_duplicate(code):
    first = referral_submit(code=code, submission=a_submission(channel=Channel.LINK))

    second = referral_submit(code=code, submission=a_submission(channel=Channel.LINK))

    assert second.created
    assert second.referral.possible_duplicate_of == first.referral


def _referral_creations(path: pathlib.Path) -> list[int]:
    """Lines of `path` that create a Referral row: Referral(...), Referral.objects.create /
    bulk_create / get_or_create / update_or_create."""
    creators = {"create", "bulk_create", "get_or_create", "update_or_create"}
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        instantiates = isinstance(func, ast.Name) and func.id == "Referral"
        creates = (
            isinstance(func, ast.Attribute)
            and func.attr in creators
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "Referral"
        )
        if instantiates or creates:
            lines.append(node.lineno)
    return lines


def test_only_the_intake_entry_point_creates_referrals():
    creations = {
        str(path.relative_to(BACKEND)): lines
        for path in BACKEND.rglob("*.py")
        if "migrations" not in path.parts and (lines := _referral_creations(path))
    }

    assert list(creations) == [str(INTAKE.relative_to(BACKEND))]
