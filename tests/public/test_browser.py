"""The public pages on a phone (headless Chromium, 390 × 844, tests/pwa's harness), as the
people they serve use them: the callback form's required path on the first screen and a half,
without JavaScript too, a landline told that no SMS will come, the capteur space's prints on
its first screen. Screenshots: var/test-artifacts/pwa/public-*.png."""

import pytest

from backend.capteurs.services import capteur_space_issue
from backend.referrals.models import Referral
from tests.accounts.factories import MembershipFactory, TerritoryFactory
from tests.browser import AXE, PHONE
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def code():
    territory = TerritoryFactory(name="Ouest Béarn", slug="ouest-bearn")
    MembershipFactory(territory=territory, facilitator=True, user__first_name="Camille")
    capteur = CapteurFactory(territory=territory, partner=True, name="Bar-tabac du Centre")
    return ReferralCodeFactory(capteur=capteur)


@pytest.fixture
def no_script(chromium, live_server):
    """The same phone with JavaScript turned off."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        java_script_enabled=False,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def fill_the_required_path(page, *, phone="06 12 34 56 78"):
    page.get_by_label("Votre prénom (ou un surnom)").fill("Zéphyrine")
    page.get_by_label("Votre numéro de téléphone").fill(phone)
    page.locator("input[name=consent]").check()


def test_the_send_button_of_the_required_path_is_within_a_screen_and_a_half(phone, code, shoot):
    page = phone.new_page()
    page.goto(code.public_path)
    shoot(page, "public-landing")

    send = page.get_by_role("button", name="Envoyer").bounding_box()
    assert send["y"] + send["height"] <= 1.5 * PHONE["height"]
    assert not page.locator("details.more").evaluate("node => node.open")

    fill_the_required_path(page)
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_url("**/merci/**")
    assert "C’est envoyé" in page.content()
    assert Referral.objects.get().first_name == "Zéphyrine"


def test_the_form_works_without_javascript_and_posts_the_folded_fields(no_script, code, shoot):
    # given a phone without JavaScript on the landing page
    page = no_script.new_page()
    page.goto(code.public_path)

    # when the person opens the disclosure, writes a message, folds it again, and sends
    fill_the_required_path(page)
    page.locator("details.more > summary").click()
    page.get_by_label("Un message (facultatif)").fill("Je cherche du travail.")
    page.locator("input[name=needs][value=emploi]").check()
    page.locator("details.more > summary").click()
    assert page.locator("details.more").get_attribute("open") is None
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_url("**/merci/**")
    shoot(page, "public-confirmation-no-js")

    # then everything typed arrived, folded or not
    referral = Referral.objects.get()
    assert (referral.note, referral.needs) == ("Je cherche du travail.", ["emploi"])


def test_a_landline_is_told_that_no_sms_will_come(phone, code, shoot):
    page = phone.new_page()
    page.goto(code.public_path)

    fill_the_required_path(page, phone="05 59 12 34 56")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_url("**/merci/**")
    shoot(page, "public-confirmation-landline")

    assert page.get_by_text("vous n’en recevrez pas. Nous vous appellerons.").is_visible()


def test_a_wrong_number_says_what_is_wrong(phone, code):
    page = phone.new_page()
    page.goto(code.public_path)

    fill_the_required_path(page, phone="12")
    page.get_by_role("button", name="Envoyer").click()

    assert page.get_by_role("heading", name="Ce numéro de téléphone ne va pas.").is_visible()


def test_the_capteur_spaces_print_link_is_on_the_first_screen(phone, code, shoot):
    capteur = capteur_space_issue(capteur=code.capteur, actor=None)
    page = phone.new_page()
    page.goto(f"/c/{capteur.space_secret}")
    shoot(page, "public-capteur-space")

    poster = page.get_by_role("link", name="Imprimer une affiche").bounding_box()
    assert poster["y"] + poster["height"] <= PHONE["height"]
    with page.expect_download() as download:
        page.get_by_role("link", name="Imprimer une affiche").click()
    assert download.value.suggested_filename == (
        f"affiche-bar-tabac-du-centre-{code.short_code}.pdf"
    )


# --- accessibility: axe-core (frontend/node_modules, a devDependency of the PWA) ----------


@pytest.fixture
def axe_phone(chromium, live_server):
    """The phone, with the pages' CSP bypassed so that axe-core can be injected (the public
    pages forbid every script)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make frontend)")
    context = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, locale="fr-FR", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def violations(page):
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in found]


def test_axe_finds_no_violation_on_the_public_pages(axe_phone, code):
    capteur = capteur_space_issue(capteur=code.capteur, actor=None)
    page = axe_phone.new_page()

    page.goto(code.public_path)
    assert violations(page) == [], "landing"

    fill_the_required_path(page, phone="12")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state()
    assert violations(page) == [], "form with errors"

    page.get_by_label("Votre numéro de téléphone").fill("05 59 12 34 56")
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_url("**/merci/**")
    assert violations(page) == [], "confirmation"

    page.goto("/confidentialite?t=ouest-bearn")
    assert violations(page) == [], "privacy"

    page.goto(f"/c/{capteur.space_secret}")
    assert violations(page) == [], "capteur space"
