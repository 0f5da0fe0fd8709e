"""The referral form of the landing page /r/<token>: server-rendered, French, works without JS."""

import html
import logging
import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format
from rest_framework.settings import api_settings

from backend.capteurs.services import referral_code_revoke
from backend.public import referral_pages, views
from backend.referrals.enums import Channel, FilledBy
from backend.referrals.forms import CONSENT_MESSAGE, PHONE_OR_EMAIL_MESSAGE
from backend.referrals.models import Referral
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION
from backend.referrals.throttles import ReferralCodeThrottle, ReferralIPThrottle
from tests.accounts.factories import TerritoryFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

PERSON = "Zéphyrine"
PHONE = "06 12 34 56 78"
NOTE = "Je cherche du travail près d'Orthez."


@pytest.fixture
def code(territory, facilitator):
    return ReferralCodeFactory(
        capteur=CapteurFactory(territory=territory, partner=True, name="Bar-tabac du Centre")
    )


def form_data(**overrides):
    """A complete submission; an override of None leaves the field out (an unticked box)."""
    data = {
        "first_name": PERSON,
        "phone": PHONE,
        "email": "",
        "call_moments": ["morning", "evening"],
        "needs": ["emploi", "mobilite"],
        "note": NOTE,
        "consent": "on",
        "website": "",
        **overrides,
    }
    return {name: value for name, value in data.items() if value is not None}


def text_of(response):
    return html.unescape(response.content.decode())


def control(body, name):
    """The <input> or <textarea> tag of field `name` in the page."""
    return re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', body).group(0)


def french_day(day):
    with translation.override("fr"):
        return date_format(day, "l j F")


# --- the form as shown -------------------------------------------------------------------


def test_landing_shows_the_referral_form_with_every_field_labelled(client, code):
    # when
    response = client.get(code.public_path)

    # then every field has its label, and the form posts back to the page
    assert response.status_code == 200
    body = text_of(response)
    assert f'<form method="post" action="{code.public_path}" novalidate>' in body
    assert 'name="csrfmiddlewaretoken"' in body
    for field in ("first_name", "phone", "email", "note", "consent"):
        assert f'<label for="id_{field}"' in body or f'for="id_{field}">' in body, field
    assert "Votre prénom (ou un surnom)" in body
    assert 'type="tel"' in body
    assert 'autocomplete="tel"' in body
    assert "Quand pouvons-nous vous appeler" in body
    assert "<legend>Pour quoi ? (facultatif)</legend>" in body.replace("\u00a0", " ")
    for need in ("Emploi", "Logement", "Santé", "Démarches administratives", "Budget, dettes"):
        assert f"<span>{need}</span>" in body
    assert "N'écrivez pas de détails sur votre santé." in body
    assert "500 caractères au plus." in body
    assert '<button class="button" type="submit">Envoyer</button>' in body


def test_fields_are_tied_to_their_hints(client, code):
    body = text_of(client.get(code.public_path))

    assert 'id="id_phone_helptext"' in body
    assert 'aria-describedby="id_phone_helptext"' in control(body, "phone")
    assert 'aria-describedby="id_note_helptext"' in control(body, "note")
    assert 'aria-describedby="id_consent_helptext"' in control(body, "consent")


def test_consent_names_the_network_of_the_header_and_links_to_its_privacy_notice(client, code):
    body = text_of(client.get(code.public_path))

    assert '<span class="brand">Ouest Béarn' in body or "Ouest Béarn</" in body
    assert "J'accepte que Ouest Béarn garde ces informations pour me rappeler." in body
    assert "Relais" not in body
    assert '<a href="/confidentialite?t=ouest-bearn">Lire la notice de confidentialité</a>' in body


def test_the_honeypot_is_out_of_sight_and_out_of_the_tab_order(client, code):
    body = text_of(client.get(code.public_path))

    wrapper = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', body).group(1)
    assert 'name="website"' in wrapper
    assert 'tabindex="-1"' in wrapper
    assert 'autocomplete="off"' in wrapper
    assert ".hp," in body or ".hp{" in body  # moved off-screen by the inline CSS


def test_a_scan_of_the_qr_code_is_remembered_in_a_hidden_field(client, code):
    from_qr = text_of(client.get(f"{code.public_path}?via=qr"))
    from_link = text_of(client.get(code.public_path))

    assert '<input type="hidden" name="via" value="qr">' in from_qr
    assert 'name="via"' not in from_link


def test_the_page_with_its_form_needs_no_script(client, code):
    body = client.get(code.public_path).content.decode().lower()

    assert "<script" not in body
    assert " onclick=" not in body
    assert " onsubmit=" not in body


# --- a valid submission ------------------------------------------------------------------


def test_a_valid_referral_is_saved_once_and_redirects_to_a_confirmation(client, code):
    # when a person submits the form from the link
    response = client.post(code.public_path, form_data())

    # then one referral is recorded, as the person gave it, with the consent's version
    referral = Referral.objects.get()
    assert referral.first_name == PERSON
    assert str(referral.phone) == "+33612345678"
    assert referral.call_moments == ["morning", "evening"]
    assert referral.needs == ["emploi", "mobilite"]
    assert referral.note == NOTE
    assert referral.channel == Channel.LINK
    assert referral.filled_by == FilledBy.PERSON
    assert referral.code == code
    assert referral.consent_version == PRIVACY_NOTICE_VERSION
    assert referral.consent_at is not None
    # and the browser is sent (303) to a confirmation URL carrying nothing personal
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith(f"{code.public_path}/merci/")
    assert PERSON not in location
    assert "0612345678" not in location.replace(" ", "")


def test_a_referral_from_a_qr_scan_records_channel_qr(client, code):
    client.post(code.public_path, form_data(via="qr"))

    assert Referral.objects.get().channel == Channel.QR


def test_an_unknown_via_value_counts_as_the_link(client, code):
    client.post(code.public_path, form_data(via="flyer"))

    assert Referral.objects.get().channel == Channel.LINK


def test_an_email_alone_is_enough(client, code):
    response = client.post(code.public_path, form_data(phone="", email="sam@example.org"))

    assert response.status_code == 303
    referral = Referral.objects.get()
    assert referral.email == "sam@example.org"
    assert not referral.phone


def test_confirmation_says_who_will_call_and_by_when(client, code, facilitator):
    # given a referral just submitted, routed to the territory's facilitator
    response = client.post(code.public_path, form_data(), follow=True)

    # then the confirmation names the facilitator and the due date, in French
    referral = Referral.objects.get()
    assert referral.assigned_to == facilitator
    assert response.status_code == 200
    body = text_of(response)
    assert "C’est envoyé." in body
    assert f"{facilitator.first_name}, de notre équipe, va vous appeler." in body
    assert f"Au plus tard le {french_day(referral.first_contact_due_on)}." in body.replace(
        "\u00a0", " "
    )
    # with the line to call when in a hurry
    assert 'href="tel:+33559601234"' in body
    # and nothing the person typed
    assert PERSON not in body
    assert PHONE not in body
    assert NOTE not in body


def test_confirmation_without_a_facilitator_names_the_team(client, db):
    # given a territory with no facilitator
    territory = TerritoryFactory()
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    # when
    response = client.post(code.public_path, form_data(), follow=True)

    # then
    assert "Une personne de l’équipe va vous appeler." in text_of(response)


def test_confirmation_dates_stay_french_for_a_browser_asking_for_english(client, code):
    response = client.post(code.public_path, form_data(), follow=True, HTTP_ACCEPT_LANGUAGE="en")

    due_on = Referral.objects.get().first_contact_due_on
    assert french_day(due_on) in text_of(response)


def test_a_forged_confirmation_link_is_not_found(client, code):
    location = client.post(code.public_path, form_data())["Location"]

    forged = location[:-3] + ("aaa" if not location.endswith("aaa") else "bbb")
    response = client.get(forged)

    assert response.status_code == 404


def test_a_confirmation_link_works_with_its_own_code_only(client, code, territory):
    # given a confirmation link of one code
    signed = client.post(code.public_path, form_data())["Location"].rsplit("/", 1)[1]
    other = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    # when it is replayed under another code's link
    response = client.get(f"{other.public_path}/merci/{signed}")

    # then nothing is told
    assert response.status_code == 404


def test_an_expired_confirmation_link_names_no_one(client, code, facilitator, monkeypatch):
    # given a confirmation link older than its lifetime
    location = client.post(code.public_path, form_data())["Location"]
    monkeypatch.setattr(referral_pages, "CONFIRMATION_MAX_AGE", -1)

    # when the page is reloaded
    response = client.get(location)

    # then it still says the request is sent, without who or when
    assert response.status_code == 200
    body = text_of(response)
    assert "C’est envoyé." in body
    assert facilitator.first_name not in body
    assert "Au plus tard" not in body


def test_confirmation_pages_are_private(client, code):
    response = client.post(code.public_path, form_data(), follow=True)

    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "same-origin"


def test_a_submission_does_not_count_a_scan(client, code):
    client.post(code.public_path, form_data())

    code.refresh_from_db()
    assert code.scan_count == 0


def test_a_submission_costs_at_most_eight_queries(client, code, django_assert_max_real_queries):
    # The budget: the code lookup and the whole service, routing included.
    with django_assert_max_real_queries(8):
        response = client.post(code.public_path, form_data())

    assert response.status_code == 303


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Écrivez votre prénom ou un surnom."),
        ({"first_name": "   "}, "first_name", "Écrivez votre prénom ou un surnom."),
        ({"phone": "12"}, "phone", "Saisissez un numéro de téléphone valide"),
        ({"phone": "", "email": ""}, "phone", str(PHONE_OR_EMAIL_MESSAGE)),
        ({"email": "pas-un-email", "phone": ""}, "email", "Saisissez une adresse e-mail valide."),
        ({"consent": None}, "consent", str(CONSENT_MESSAGE)),
        ({"note": "x" * 501}, "note", "au plus 500 caractères"),
        ({"needs": ["emploi", "voyance"]}, "needs", "Sélectionnez un choix valide"),
        ({"call_moments": ["midnight"]}, "call_moments", "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_shows_the_form_again_with_a_french_message_and_saves_nothing(
    client, code, overrides, field, message
):
    # when a person submits a form with one mistake
    response = client.post(code.public_path, form_data(**overrides))

    # then nothing is saved and the form comes back, marked as such
    assert response.status_code == 422
    assert Referral.objects.count() == 0
    body = text_of(response)
    assert body.count(message) == 2  # in the summary at the top, and next to the field
    # the message is tied to its field, and the summary links to the field
    error = re.search(rf'<p class="error" id="id_{field}_error">(.*?)</p>', body).group(1)
    assert message in error
    target = f"id_{field}_0" if field in ("needs", "call_moments") else f"id_{field}"
    assert f'<a href="#{target}">' in body
    if field not in ("needs", "call_moments"):
        assert f"id_{field}_error" in control(body, field)


def test_a_field_in_error_is_announced_to_screen_readers(client, code):
    body = text_of(client.post(code.public_path, form_data(phone="12")))

    phone_input = control(body, "phone")
    assert 'aria-invalid="true"' in phone_input
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in phone_input


def test_a_group_in_error_describes_its_fieldset(client, code):
    body = text_of(client.post(code.public_path, form_data(needs=["voyance"])))

    assert (
        '<fieldset class="field invalid" aria-describedby="id_needs_helptext id_needs_error">'
        in body
    )


def test_the_error_summary_comes_first_and_takes_the_focus(client, code):
    body = text_of(client.post(code.public_path, form_data(first_name="")))

    summary = body.index('<div class="summary" role="alert"')
    assert summary < body.index("<h1>")
    assert "autofocus" in body[summary : summary + 200]
    assert "<title>Erreur : Nous pouvons vous aider</title>" in body.replace("\u00a0", " ")


def test_the_input_is_kept_after_an_error(client, code):
    # given a form with every field filled but the consent
    response = client.post(code.public_path, form_data(consent=None, via="qr"))

    # then each answer is still there
    body = text_of(response)
    assert f'value="{PERSON}"' in body
    assert f'value="{PHONE}"' in body
    assert re.search(r'<input[^>]*value="morning"[^>]*checked', body)
    assert re.search(r'<input[^>]*value="evening"[^>]*checked', body)
    assert not re.search(r'<input[^>]*value="midday"[^>]*checked', body)
    assert re.search(r'<input[^>]*value="mobilite"[^>]*checked', body)
    assert f"{NOTE}</textarea>" in body
    assert '<input type="hidden" name="via" value="qr">' in body


def test_the_input_kept_after_an_error_is_escaped(client, code):
    body = client.post(
        code.public_path, form_data(first_name='"><b>x</b>', consent=None)
    ).content.decode()

    assert "<b>x</b>" not in body


def test_messages_stay_french_for_a_browser_asking_for_english(client, code):
    response = client.post(
        code.public_path, form_data(email="nope", phone=""), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "Saisissez une adresse e-mail valide." in text_of(response)


def test_a_bad_submission_does_not_count_a_scan(client, code):
    client.post(code.public_path, form_data(first_name=""))

    code.refresh_from_db()
    assert code.scan_count == 0


# --- bots, floods and dead codes ---------------------------------------------------------


def test_a_filled_honeypot_shows_the_confirmation_and_saves_nothing(client, code):
    # when a bot fills every field, the hidden one included
    response = client.post(code.public_path, form_data(website="https://spam.example"))

    # then it sees what a person would see, and nothing is recorded
    assert response.status_code == 200
    assert "C’est envoyé." in text_of(response)
    assert Referral.objects.count() == 0


def test_submissions_are_rate_limited_per_code(client, code, monkeypatch):
    # given a limit of one submission per hour per code
    monkeypatch.setattr(ReferralCodeThrottle, "THROTTLE_RATES", {"referral_code": "1/hour"})

    # when two people submit through the same poster
    first = client.post(code.public_path, form_data(), REMOTE_ADDR="192.0.2.1")
    second = client.post(code.public_path, form_data(phone="0612345679"), REMOTE_ADDR="192.0.2.2")

    # then the second is told in French when to try again, with Retry-After, and not saved
    assert (first.status_code, second.status_code) == (303, 429)
    assert int(second["Retry-After"]) > 0
    body = text_of(second)
    assert "Trop d’envois depuis ce téléphone ou pour cette affiche." in body
    assert re.search(r"Réessayez dans \d+ minutes?\.", body.replace("\u00a0", " "))
    assert 'href="tel:+33559601234"' in body
    assert Referral.objects.count() == 1


def test_submissions_are_rate_limited_per_address(client, code, territory, monkeypatch):
    monkeypatch.setattr(ReferralIPThrottle, "THROTTLE_RATES", {"referral_ip": "1/hour"})
    other = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    first = client.post(code.public_path, form_data())
    second = client.post(other.public_path, form_data(phone="0612345679"))

    assert (first.status_code, second.status_code) == (303, 429)
    assert Referral.objects.count() == 1


def test_the_rate_limit_page_is_private(client, code, monkeypatch):
    monkeypatch.setattr(ReferralIPThrottle, "THROTTLE_RATES", {"referral_ip": "0/hour"})

    response = client.post(code.public_path, form_data())

    assert response.status_code == 429
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_a_forged_forwarded_for_does_not_reset_the_per_address_limit(
    client, code, territory, monkeypatch
):
    # given no trusted proxy (the default) and one submission per hour per address
    assert api_settings.NUM_PROXIES == 0
    monkeypatch.setattr(ReferralIPThrottle, "THROTTLE_RATES", {"referral_ip": "1/hour"})
    other = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    # when the same client claims another address the second time
    client.post(code.public_path, form_data(), HTTP_X_FORWARDED_FOR="203.0.113.1")
    response = client.post(
        other.public_path, form_data(phone="0612345679"), HTTP_X_FORWARDED_FOR="203.0.113.2"
    )

    # then it is still counted as itself
    assert response.status_code == 429
    assert Referral.objects.count() == 1


def test_behind_one_trusted_proxy_two_people_are_counted_apart(
    client, code, territory, monkeypatch
):
    # given one reverse proxy that appends the client's address
    monkeypatch.setattr(api_settings, "NUM_PROXIES", 1)
    monkeypatch.setattr(ReferralIPThrottle, "THROTTLE_RATES", {"referral_ip": "1/hour"})
    other = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    # when two people behind it submit, then the first retries with a forged header
    first = client.post(code.public_path, form_data(), HTTP_X_FORWARDED_FOR="198.51.100.7")
    second = client.post(
        other.public_path, form_data(phone="0612345679"), HTTP_X_FORWARDED_FOR="198.51.100.8"
    )
    forged = client.post(
        other.public_path,
        form_data(phone="0612345670"),
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
    )

    # then
    assert (first.status_code, second.status_code, forged.status_code) == (303, 303, 429)
    assert Referral.objects.count() == 2


def test_a_revoked_code_refuses_the_submission(client, code):
    # given a code revoked while the form was open
    referral_code_revoke(code=code, actor=None)

    # when the form is submitted
    response = client.post(code.public_path, form_data())

    # then the page says the code is dead, and nothing is saved
    assert response.status_code == 410
    assert "plus valable" in text_of(response)
    assert Referral.objects.count() == 0


def test_an_unknown_token_refuses_the_submission(client, db):
    response = client.post("/r/not-a-real-token", form_data())

    assert response.status_code == 404
    assert Referral.objects.count() == 0


# --- CSRF and privacy --------------------------------------------------------------------


def test_the_form_posts_with_its_csrf_token_and_is_refused_without(code):
    # given a browser that enforces CSRF, as a real one does
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(code.public_path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    # when another site posts without the token, then the page posts with it
    forged = Client(enforce_csrf_checks=True).post(code.public_path, form_data())
    genuine = browser.post(
        code.public_path,
        {**form_data(), "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://testserver",
    )

    # then only the page's own submission is saved
    assert forged.status_code == 403
    assert genuine.status_code == 303
    assert Referral.objects.count() == 1


def test_the_page_does_not_make_browsers_send_a_null_origin(client, code):
    # Under `Referrer-Policy: no-referrer`, browsers post forms with `Origin: null`, which the
    # CSRF check refuses: the form would never get through.
    response = client.get(code.public_path)

    assert response["Referrer-Policy"] == "same-origin"


def test_a_public_form_refused_by_csrf_gets_a_french_page(rf):
    response = views.csrf_failure(rf.post("/r/anything"), reason="CSRF cookie not set.")

    assert response.status_code == 403
    body = response.content.decode()
    assert "La page a expiré." in body
    assert "CSRF" not in body


def test_error_reports_hide_what_the_person_typed(client, code):
    # Django's error reports (mails to ADMINS, tracebacks) leave out POST parameters flagged
    # sensitive: here, all of them.
    response = client.post(code.public_path, form_data(first_name=""))

    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


def test_logs_carry_no_personal_data(client, code, caplog):
    with caplog.at_level(logging.DEBUG):
        client.post(code.public_path, form_data())
        client.post(code.public_path, form_data(phone="12"))

    for secret in (PERSON, "0612345678", "612345678", NOTE, "Orthez"):
        assert secret not in caplog.text


# --- field fit: the required path first, the optional parts folded -------------------------


def test_the_optional_fields_are_folded_behind_one_labelled_disclosure(client, code):
    body = text_of(client.get(code.public_path))

    form = re.search(r"<form.*?</form>", body, re.S).group(0)
    folded = re.search(r"<details class=\"more\">(.*?)</details>", form, re.S)
    assert folded, "the disclosure is closed on a first visit"
    summary = re.search(r"<summary>(.*?)</summary>", folded.group(1)).group(1)
    assert summary.startswith("Plus de détails (facultatif)")
    for name in ("email", "call_moments", "needs", "note"):
        assert f'name="{name}"' in folded.group(1)
    for name in ("first_name", "phone", "consent"):
        assert f'name="{name}"' not in folded.group(1)
    # the send button comes right after the consent
    assert form.index('name="consent"') < form.index('type="submit"')
    assert form.index("</details>") < form.index('name="consent"')


def test_when_to_call_is_marked_optional_and_the_phone_hint_speaks_plainly(client, code):
    body = text_of(client.get(code.public_path))

    assert "Quand pouvons-nous vous appeler ? (facultatif)" in body
    assert (
        "Un numéro qui n'est pas français ? Écrivez + et le code du pays, "
        "par exemple +32 pour la Belgique." in body
    )
    assert "indicatif" not in body


def test_the_disclosure_opens_again_on_a_wrong_optional_field(client, code):
    response = client.post(code.public_path, form_data(phone="", email="pas-une-adresse"))

    assert response.status_code == 422
    assert '<details class="more" open>' in text_of(response)


@pytest.mark.parametrize(
    ("overrides", "heading"),
    [
        ({"phone": "12"}, "Ce numéro de téléphone ne va pas."),
        ({"phone": ""}, "Il manque un numéro de téléphone (ou un e-mail)."),
        ({"first_name": ""}, "Il manque votre prénom."),
        ({"consent": None}, "Il manque votre accord : cochez la case."),
        ({"first_name": "", "phone": "12"}, "Il y a des choses à corriger."),
    ],
)
def test_the_error_heading_says_what_is_wrong(client, code, overrides, heading):
    body = text_of(client.post(code.public_path, form_data(**overrides)))

    assert f'<h2 id="summary-title">{heading}</h2>' in body
    assert "Il manque quelque chose" not in body


@pytest.mark.parametrize(
    ("phone", "says_no_sms"),
    [("05 59 12 34 56", True), ("0470 12 34 56", True), (PHONE, False)],
)
def test_the_confirmation_says_plainly_when_no_sms_will_come(client, code, phone, says_no_sms):
    response = client.post(code.public_path, form_data(phone=phone), follow=True)

    body = text_of(response)
    assert "C’est envoyé" in body
    assert ("vous n’en recevrez pas. Nous vous appellerons." in body) is says_no_sms


def test_the_landing_page_stays_small_and_script_free(client, code):
    response = client.get(code.public_path)

    assert len(response.content) <= 30 * 1024
    assert b"<script" not in response.content
