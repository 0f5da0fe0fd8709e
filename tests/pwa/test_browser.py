"""The facilitator's phone app in a real browser (headless Chromium, 390 × 844), against the
live server: log in, work a referral (one offline), register a capteur and open its poster,
and the app is installable. Screenshots of each screen: var/test-artifacts/pwa/."""

import re
import shutil

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from backend.capteurs.models import Capteur, ReferralCode
from backend.core.models import IdempotentRequest
from backend.referrals.models import ContactAttempt, Referral, ReferralEvent
from tests.accounts.factories import (
    MembershipFactory,
    TerritoryFactory,
    TOTPDeviceFactory,
    totp_code,
)
from tests.capteurs.factories import CapteurFactory
from tests.pwa.conftest import CHROMIUM, PASSWORD, PHONE
from tests.referrals.factories import ReferralFactory
from tests.structures.factories import StructureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Rappeler mardi après 17 h, préfère les SMS."


@pytest.fixture
def facilitator():
    territory = TerritoryFactory(name="Ouest Béarn", slug="ouest-bearn")
    user = MembershipFactory(
        territory=territory,
        facilitator=True,
        user__email="camille@relais.test",
        user__first_name="Camille",
        user__last_name="Laborde",
    ).user
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def referral(facilitator):
    territory = facilitator.memberships.get().territory
    capteur = CapteurFactory(territory=territory, partner=True, name="Bar-tabac Le Balto")
    StructureFactory(territory=territory, name="Mission locale de Mourenx")
    ReferralFactory(
        capteur=capteur,
        assigned_to=facilitator,
        first_name="Léa",
        contacted=True,
        needs=["logement"],
    )
    return ReferralFactory(
        capteur=capteur,
        assigned_to=facilitator,
        first_name="Jordan",
        needs=["emploi", "mobilite"],
        overdue=True,
    )


def log_in(page, user):
    page.goto("/app/")
    expect(page).to_have_url(re.compile(r"/app/connexion$"))
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes orientations")


def wait_for_service_worker(page):
    """The app's files are precached and the page is controlled (clientsClaim)."""
    page.wait_for_function("() => Boolean(navigator.serviceWorker?.controller)")


def assert_thumb_friendly(page):
    """Every button, button-like link, field and tab is at least 48 px high."""
    small = page.evaluate(
        """() => [...document.querySelectorAll(
              '.button, .tab, .segmented button, .field input, .field select, .field textarea')]
            .filter((el) => el.offsetParent !== null)
            .filter((el) => el.getBoundingClientRect().height < 47.5)
            .map((el) => el.outerHTML.slice(0, 80))"""
    )
    assert small == []


def test_a_facilitator_works_a_referral_online_then_offline(phone, referral, shoot):
    page = phone.new_page()

    # given the facilitator logged in on their phone
    page.goto("/app/")
    shoot(page, "01-login")
    log_in(page, referral.assigned_to)
    wait_for_service_worker(page)
    cards = page.get_by_role("list", name="Orientations").get_by_role("listitem")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Jordan")  # overdue first
    expect(cards.first).to_contain_text("En retard")
    assert_thumb_friendly(page)
    shoot(page, "02-inbox")

    # when they open the referral, call without answer, then reach the person
    cards.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan")
    expect(page.get_by_role("link", name="Appeler")).to_have_attribute(
        "href", f"tel:{referral.phone}"
    )
    expect(page.get_by_role("link", name="SMS")).to_have_attribute("href", f"sms:{referral.phone}")
    # only the moves the lifecycle allows from "new"
    expect(page.get_by_role("button", name="Passer à « contactée »")).to_be_visible()
    expect(page.get_by_role("button", name="Passer à « rencontrée »")).to_have_count(0)
    assert_thumb_friendly(page)
    shoot(page, "03-referral")

    page.get_by_role("button", name="Pas de réponse").click()
    expect(page.get_by_role("status").filter(has_text="Pas de réponse noté")).to_be_visible()
    page.get_by_role("button", name="Passer à « contactée »").click()
    expect(page.locator(".chips .chip").first).to_have_text("Contactée")
    expect(page.get_by_role("button", name="Passer à « rencontrée »")).to_be_visible()

    # then the server has them, once each
    assert ContactAttempt.objects.filter(referral=referral, outcome="no_answer").count() == 1
    referral.refresh_from_db()
    assert referral.status == "contacted"

    # when the network drops and they write a note
    phone.set_offline(True)
    expect(page.get_by_text("Hors connexion").first).to_be_visible()
    page.get_by_label("Ajouter une note").fill(NOTE)
    page.get_by_role("button", name="Enregistrer la note").click()

    # then the note waits on the phone, shown as pending, and nothing reached the server
    pending = page.locator(".timeline-pending")
    expect(pending).to_contain_text(NOTE)
    expect(pending).to_contain_text("En attente d’envoi")
    expect(page.get_by_role("link", name="1 en attente")).to_be_visible()
    assert not ReferralEvent.objects.filter(referral=referral, kind="note").exists()
    shoot(page, "04-referral-offline-pending")

    # and the app still opens offline: the inbox and the referral from what was kept
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan")
    page.get_by_role("link", name="Orientations").click()
    expect(page.get_by_text("Hors connexion : affiché tel que chargé")).to_be_visible()
    expect(cards).to_have_count(2)
    shoot(page, "05-inbox-offline")
    cards.first.get_by_role("link").click()
    expect(page.locator(".timeline-pending")).to_contain_text(NOTE)

    # when the network returns
    phone.set_offline(False)

    # then the note is sent, shown in the timeline as the server has it, written once
    expect(page.locator(".timeline-pending")).to_have_count(0, timeout=40_000)
    expect(page.locator(".timeline").get_by_text(NOTE)).to_be_visible()
    notes = ReferralEvent.objects.filter(referral=referral, kind="note")
    assert [event.payload["text"] for event in notes] == [NOTE]
    assert (
        IdempotentRequest.objects.filter(
            user=referral.assigned_to, path=f"/api/v1/referrals/{referral.id}/notes/"
        ).count()
        == 1
    )
    assert ContactAttempt.objects.filter(referral=referral).count() == 1
    shoot(page, "06-referral-synced")


def test_an_action_the_server_refuses_on_replay_is_shown_with_what_to_do(phone, referral, shoot):
    page = phone.new_page()
    log_in(page, referral.assigned_to)
    wait_for_service_worker(page)
    page.goto(f"/app/orientations/{referral.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan")

    # given a move taken offline while a colleague closed the referral
    phone.set_offline(True)
    page.get_by_role("button", name="Passer à « contactée »").click()
    expect(page.locator(".timeline-pending")).to_contain_text("En attente d’envoi")
    Referral.objects.filter(pk=referral.pk).update(
        status="closed", closing_reason="duplicate", closed_at=referral.created_at
    )

    # when the network returns
    phone.set_offline(False)

    # then the refusal is kept and explained, never dropped
    expect(page.locator(".timeline-failed")).to_contain_text("Refusée", timeout=40_000)
    expect(page.get_by_role("alert").filter(has_text="refusée")).to_be_visible()
    page.get_by_role("link", name="Moi").click()
    expect(page.locator(".advice")).to_contain_text("Ouvrez cette orientation")
    assert_thumb_friendly(page)
    shoot(page, "07-me-refused-action")
    page.get_by_role("button", name="Abandonner").click()
    expect(page.get_by_text("Tout est envoyé.")).to_be_visible()


def test_a_facilitator_registers_a_capteur_in_the_shop_and_opens_its_poster(
    phone, facilitator, shoot
):
    page = phone.new_page()
    log_in(page, facilitator)

    # given the capteurs screen
    page.get_by_role("link", name="Capteurs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Capteurs")
    shoot(page, "08-capteurs")

    # when they fill the form standing in the shop, with the phone's position
    page.get_by_role("link", name="Nouveau capteur").click()
    page.get_by_label("Nom du capteur").fill("Boulangerie Lacoste")
    page.get_by_label("Type").select_option("commerce")
    expect(page.get_by_label("Téléphone")).to_have_attribute("inputmode", "tel")
    page.get_by_label("Téléphone").fill("05 59 60 11 22")
    page.get_by_label("Commune").fill("Mourenx")
    page.get_by_role("button", name="Utiliser ma position").click()
    expect(page.get_by_text("Position : 43.381200, -0.626100")).to_be_visible()
    assert_thumb_friendly(page)
    shoot(page, "09-capteur-new")
    page.get_by_role("button", name="Inscrire le capteur").click()

    # then the capteur exists, located, and its page says to issue a code
    expect(page.get_by_role("heading", level=1)).to_have_text("Boulangerie Lacoste")
    capteur = Capteur.objects.get(name="Boulangerie Lacoste")
    assert (str(capteur.latitude), str(capteur.longitude)) == ("43.381200", "-0.626100")
    assert capteur.referent == facilitator
    assert str(capteur.phone) == "+33559601122"

    # when they issue a code and open its poster
    page.get_by_label("Libellé du nouveau code (facultatif)").fill("Vitrine")
    page.get_by_role("button", name="Émettre un code").click()
    poster = page.get_by_role("link", name="Affiche (PDF)")
    expect(poster).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    page.wait_for_function(
        "() => [...document.images].every((img) => img.complete && img.naturalWidth > 0)"
    )
    shoot(page, "10-capteur-with-code")
    code = ReferralCode.objects.get(capteur=capteur)
    assert poster.get_attribute("href") == f"/api/v1/codes/{code.id}/poster.pdf"
    with phone.expect_page() as opened:
        poster.click()
    assert opened.value.url.endswith(f"/api/v1/codes/{code.id}/poster.pdf")

    # then the poster is a PDF served to their session
    response = page.request.get(f"/api/v1/codes/{code.id}/poster.pdf")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_a_facilitator_marks_an_absence(phone, facilitator, shoot):
    page = phone.new_page()
    log_in(page, facilitator)

    page.get_by_role("link", name="Moi").click()
    page.get_by_label("Absent·e jusqu’au (dernier jour d’absence)").fill("2099-08-31")
    page.get_by_role("button", name="Enregistrer l’absence").click()

    expect(page.get_by_text("Absent·e jusqu’au 31 août inclus")).to_be_visible()
    assert str(facilitator.memberships.get().unavailable_until) == "2099-08-31"
    shoot(page, "11-me-away")


def test_logging_out_wipes_what_the_phone_kept(phone, referral):
    page = phone.new_page()
    log_in(page, referral.assigned_to)
    page.get_by_role("list", name="Orientations").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan")

    page.get_by_role("link", name="Moi").click()
    page.get_by_role("button", name="Se déconnecter", exact=True).click()

    expect(page).to_have_url(re.compile(r"/app/connexion$"))
    kept = page.evaluate(
        """async () => {
            const read = (db, store) => new Promise((resolve) => {
              const open = indexedDB.open(db);
              open.onsuccess = () => {
                const names = [...open.result.objectStoreNames];
                if (!names.includes(store)) return resolve(0);
                const count = open.result.transaction(store).objectStore(store).count();
                count.onsuccess = () => resolve(count.result);
              };
            });
            return [await read('relais-cache', 'answers'), await read('relais-outbox', 'items'),
                    await read('relais-session', 'profile')];
        }"""
    )
    assert kept == [0, 0, 0]
    assert page.request.get("/api/v1/auth/me/").status == 401


def test_the_app_is_installable(playwright_driver, live_server, tmp_path, shoot):
    # An incognito context always answers "in-incognito": installability needs a profile.
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        viewport=PHONE,
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.goto("/app/")
        wait_for_service_worker(page)
        cdp = context.new_cdp_session(page)

        installability = cdp.send("Page.getInstallabilityErrors")
        manifest = cdp.send("Page.getAppManifest")

        assert installability["installabilityErrors"] == []
        assert manifest["errors"] == []
        assert manifest["url"].endswith("/app/manifest.webmanifest")
        shoot(page, "00-installable-shell")
    finally:
        context.close()


@pytest.fixture
def deployable(settings, tmp_path):
    """A live server of its own, on a copy of the build that the test may redeploy: whitenoise
    looks files up at each request there (autorefresh), as it would after a deploy."""
    dist = tmp_path / "dist"
    shutil.copytree(settings.PWA_DIST_DIR, dist)
    settings.PWA_DIST_DIR = dist
    settings.WHITENOISE_AUTOREFRESH = True
    server = LiveServer("localhost")
    yield server.url, dist
    server.stop()


def test_a_new_version_is_offered_not_forced(chromium, deployable, facilitator, shoot):
    url, dist = deployable
    phone = chromium.new_context(viewport=PHONE, locale="fr-FR", base_url=url)
    page = phone.new_page()
    log_in(page, facilitator)
    wait_for_service_worker(page)
    page.get_by_role("link", name="Moi").click()
    page.get_by_label("Absent·e jusqu’au (dernier jour d’absence)").fill("2099-08-31")

    # given a new build deployed meanwhile (its service worker differs)
    worker = dist / "sw.js"
    worker.write_text(worker.read_text() + "\n// the next build\n")
    for compressed in (dist / "sw.js.br", dist / "sw.js.gz"):
        compressed.unlink(missing_ok=True)

    # when the app looks for an update (it does hourly, and the browser on navigations)
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")

    # then it offers the new version, and nothing reloads until the person accepts
    banner = page.get_by_role("status").filter(has_text="Nouvelle version disponible.")
    expect(banner).to_be_visible()
    expect(page.get_by_label("Absent·e jusqu’au (dernier jour d’absence)")).to_have_value(
        "2099-08-31"
    )
    shoot(page, "12-update-offered")
    page.evaluate("() => { window.beforeUpdate = true; }")
    with page.expect_event("load"):
        banner.get_by_role("button", name="Mettre à jour").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("() => window.beforeUpdate") is None  # reloaded
    assert page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => !r.waiting)")
    phone.close()


@pytest.fixture
def coordinator():
    territory = TerritoryFactory(name="Ouest Béarn", slug="ouest-bearn")
    user = MembershipFactory(
        territory=territory, coordinator=True, user__email="coordination@relais.test"
    ).user
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_coordinator_logs_in_with_the_code_of_their_app(phone, coordinator, shoot):
    device = TOTPDeviceFactory(user=coordinator)
    page = phone.new_page()

    # given the password step
    page.goto("/app/")
    page.get_by_label("Adresse e-mail").fill(coordinator.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # then a code is asked, on a numeric keyboard the phone may fill from its apps
    code = page.get_by_label("Code à 6 chiffres")
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(page.get_by_role("button", name="Utiliser un code de secours")).to_be_visible()
    assert_thumb_friendly(page)
    shoot(page, "13-login-code")

    # when they type the code their app shows
    code.fill(totp_code(device))
    page.get_by_role("button", name="Valider").click()

    # then they are in
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientations du territoire")
    assert page.request.get("/api/v1/auth/me/").status == 200


def test_a_coordinator_without_an_app_enrols_at_login_then_logs_out_everywhere(
    phone, chromium, live_server, coordinator, shoot
):
    page = phone.new_page()
    page.goto("/app/")
    page.get_by_label("Adresse e-mail").fill(coordinator.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    # given they are sent to the enrolment
    expect(page.get_by_text("Votre rôle demande une double authentification")).to_be_visible()
    page.get_by_role("button", name="Activer la double authentification").click()
    qr = page.get_by_role("img", name="QR code à scanner avec l’application d’authentification")
    expect(qr).to_be_visible()
    page.wait_for_function("() => [...document.images].every((img) => img.naturalWidth > 0)")
    shoot(page, "14-enrolment-qr")

    # when they confirm with the code of the app they scanned it with
    device = TOTPDevice.objects.get(user=coordinator)
    page.get_by_label("Code affiché par l’application").fill(totp_code(device))
    page.get_by_role("button", name="Confirmer").click()

    # then the recovery codes are shown once, and they are in
    codes = page.get_by_role("list", name="Codes de secours").get_by_role("listitem")
    expect(codes).to_have_count(10)
    shoot(page, "15-recovery-codes")
    page.get_by_role("button", name="J’ai noté mes codes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientations du territoire")

    # when, from another device too, they log out of every device
    other = chromium.new_context(base_url=live_server.url)
    other_page = other.new_page()
    other_page.request.get("/api/v1/auth/csrf/")
    token = next(c["value"] for c in other.cookies() if c["name"] == "csrftoken")
    other_page.request.post(
        "/api/v1/auth/login/",
        data={"email": coordinator.email, "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    page.get_by_role("link", name="Moi").click()
    expect(page.get_by_text("Activée : après le mot de passe")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter de tous les appareils").click()

    # then both sessions are over
    expect(page).to_have_url(re.compile(r"/app/connexion$"))
    assert page.request.get("/api/v1/auth/me/").status == 401
    assert other_page.request.get("/api/v1/auth/me/").status == 401
    other.close()
