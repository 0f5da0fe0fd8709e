import re

import pytest

from backend.capteurs.models import ReferralCode
from backend.capteurs.services import SHORT_CODE_ALPHABET, referral_code_issue
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

pytestmark = pytest.mark.django_db

UNAMBIGUOUS = re.compile(f"^[{SHORT_CODE_ALPHABET}]{{4,6}}$")


def test_facilitator_issues_a_code_for_a_capteur(facilitator_api, territory, settings):
    settings.PUBLIC_BASE_URL = "https://relais.example.org"
    capteur = CapteurFactory(territory=territory, partner=True, name="Balto")

    response = facilitator_api.post(
        f"/api/v1/capteurs/{capteur.id}/codes/", {"label": "Affiche vitrine"}
    )

    assert response.status_code == 201
    body = response.json()
    code = ReferralCode.objects.get()
    assert body["short_code"] == code.short_code
    assert body["url"] == f"https://relais.example.org/r/{code.token}"
    assert body["label"] == "Affiche vitrine"
    assert body["is_active"] is True
    assert body["capteur_name"] == "Balto"
    assert body["poster_pdf"] == f"/api/v1/codes/{code.id}/poster.pdf"


def test_a_code_has_an_unguessable_token_and_an_unambiguous_short_code(territory):
    capteur = CapteurFactory(territory=territory)

    codes = [referral_code_issue(capteur=capteur, actor=None) for _ in range(30)]

    for code in codes:
        # 192 random bits, URL-safe
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", code.token)
        assert UNAMBIGUOUS.fullmatch(code.short_code)
        assert not set("0O1IL") & set(code.short_code)
    assert len({c.token for c in codes}) == len({c.short_code for c in codes}) == 30


def test_short_codes_grow_when_the_short_space_is_taken(territory, monkeypatch):
    # given every 4-character draw collides with an existing code
    capteur = CapteurFactory(territory=territory)
    taken = referral_code_issue(capteur=capteur, actor=None)
    monkeypatch.setattr(
        "backend.capteurs.services._new_short_code",
        lambda length: taken.short_code if length == 4 else "Z" * length,
    )

    # when
    code = referral_code_issue(capteur=capteur, actor=None)

    # then
    assert code.short_code == "ZZZZZ"


def test_a_capteur_may_hold_several_codes(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, partner=True)
    first = ReferralCodeFactory(capteur=capteur)
    second = ReferralCodeFactory(capteur=capteur)
    ReferralCodeFactory()  # another capteur's

    response = facilitator_api.get(f"/api/v1/capteurs/{capteur.id}/codes/")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [second.id, first.id]


def test_a_withdrawn_capteur_gets_no_new_code(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory, withdrawn=True)

    response = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/codes/", {})

    assert response.status_code == 409
    assert response.json()["code"] == "capteur_withdrawn"
    assert not ReferralCode.objects.exists()


def test_a_label_too_long_is_refused(facilitator_api, territory):
    capteur = CapteurFactory(territory=territory)

    response = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/codes/", {"label": "x" * 121})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "label": ["Assurez-vous que ce champ comporte au plus 120\u00a0caractères."]
    }
    assert not ReferralCode.objects.exists()


def test_revoking_a_lost_poster_code(facilitator_api, territory, facilitator):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))

    response = facilitator_api.post(f"/api/v1/codes/{code.id}/revoke/", {})

    assert response.status_code == 200
    assert response.json()["revoked"]["is_active"] is False
    assert response.json()["reissued"] is None
    code.refresh_from_db()
    assert code.revoked_by == facilitator
    assert code.revoked_at is not None


def test_revoking_and_reissuing_gives_the_capteur_a_fresh_code(facilitator_api, territory):
    code = ReferralCodeFactory(
        capteur=CapteurFactory(territory=territory, partner=True), label="Vitrine"
    )

    response = facilitator_api.post(f"/api/v1/codes/{code.id}/revoke/", {"reissue": True})

    assert response.status_code == 200
    new = response.json()["reissued"]
    assert new["is_active"] is True
    assert new["label"] == "Vitrine"
    assert new["short_code"] != code.short_code
    assert ReferralCode.objects.filter(capteur=code.capteur, revoked_at__isnull=True).count() == 1


def test_a_revoked_code_cannot_be_revoked_again(facilitator_api, territory):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    response = facilitator_api.post(f"/api/v1/codes/{code.id}/revoke/", {})

    assert response.status_code == 409
    assert response.json()["detail"] == "Ce code est déjà révoqué."


def test_code_detail(facilitator_api, territory):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    response = facilitator_api.get(f"/api/v1/codes/{code.id}/")

    assert response.status_code == 200
    assert response.json()["short_code"] == code.short_code
    assert response.json()["scan_count"] == 0


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {lower} ", "{spaced}"])
def test_a_short_code_is_found_whatever_the_case_and_spacing(territory, typed):
    from backend.capteurs.selectors import referral_code_by_short_code

    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))
    text = typed.format(
        code=code.short_code,
        lower=code.short_code.lower(),
        spaced=f"{code.short_code[:2]} {code.short_code[2:]}",
    )

    assert referral_code_by_short_code(short_code=text) == code


def test_a_revoked_short_code_is_not_found(territory):
    from backend.capteurs.selectors import referral_code_by_short_code

    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    assert referral_code_by_short_code(short_code=code.short_code) is None


def test_withdrawing_a_capteur_revokes_its_codes_and_closes_its_space(
    facilitator_api, territory, facilitator, client
):
    # given a partner with a code and a capteur space, whose référent is the facilitator
    from backend.capteurs.services import capteur_space_issue

    capteur = CapteurFactory(territory=territory, partner=True, referent=facilitator)
    code = ReferralCodeFactory(capteur=capteur)
    capteur_space_issue(capteur=capteur, actor=facilitator)

    # when it leaves the network
    response = facilitator_api.post(f"/api/v1/capteurs/{capteur.id}/stage/", {"stage": "withdrawn"})

    # then its poster no longer works
    assert response.status_code == 200
    code.refresh_from_db()
    assert code.revoked_at is not None
    assert code.revoked_by == facilitator
    assert client.get(f"/r/{code.token}").status_code == 410
    capteur.refresh_from_db()
    assert capteur.space_secret is None
