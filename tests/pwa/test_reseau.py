"""The coordinator's screen "Le réseau" in a real browser (headless Chromium, a laptop),
against the live server and the demo data (manage.py seed_demo): the KPI tiles, the map's list
when no tile server is set, a funder export downloaded, a referral reassigned, no CSP
violation; and a facilitator's phone never loads the screen's code. Screenshots:
var/test-artifacts/pwa/."""

import csv
import io
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from backend.demo import data
from backend.demo.seed import DEMO_PASSWORD, seed_demo
from backend.referrals.enums import OPEN_STATUSES
from backend.referrals.models import Referral
from tests.accounts.factories import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 900}
COORDINATOR = f"coordination@{data.DEMO_EMAIL_DOMAIN}"
FACILITATOR = f"facilitateur.orthez@{data.DEMO_EMAIL_DOMAIN}"
# The coordinator's code, never a facilitator's: the screen, its charts and the map (Leaflet).
COORDINATOR_CHUNKS = re.compile(r"/app/assets/(reseau|capteur-map)-")


@pytest.fixture
def demo(settings):
    settings.MAP_TILES_URL = ""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return seed_demo()


@pytest.fixture
def laptop(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        viewport=LAPTOP,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def log_in(page, email):
    """Logs in with the demo password and, for the demo coordinator (enrolled by the seed with
    the published demo key), the code their app would show."""
    page.goto("/app/")
    expect(page).to_have_url(re.compile(r"/app/connexion$"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    device = TOTPDevice.objects.filter(user__email=email, confirmed=True).first()
    if device is not None:
        page.get_by_label("Code à 6 chiffres").fill(totp_code(device))
        page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Navigation principale")).to_be_visible()


def watch(page):
    """The page's console errors (a CSP refusal is one) and every URL it requested."""
    seen = {"errors": [], "requests": []}
    page.on(
        "console",
        lambda message: message.type == "error" and seen["errors"].append(message.text),
    )
    page.on("request", lambda request: seen["requests"].append(request.url))
    return seen


def test_a_coordinator_watches_the_network_exports_and_reassigns(laptop, demo, shoot):
    page = laptop.new_page()
    seen = watch(page)

    # given the demo coordinator logged in on a laptop
    log_in(page, COORDINATOR)

    # when they open "Le réseau" from the navigation
    page.get_by_role("link", name="Le réseau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Le réseau")

    # then the KPI tiles, the charts, the facilitators' load and the map's list (no tiles set)
    tiles = page.get_by_role("list", name="Chiffres clés").get_by_role("listitem")
    expect(tiles.first).to_contain_text("Orientations reçues")
    expect(tiles).to_have_count(9)
    expect(page.get_by_role("img", name=re.compile("Orientations par semaine"))).to_be_visible()
    load = page.get_by_role("table", name="Charge des facilitateurs")
    expect(load.get_by_role("row")).to_have_count(1 + 3)  # the header, three facilitators
    map_list = page.locator(".map-list")
    expect(map_list).to_have_attribute("open", "")
    expect(map_list.get_by_role("row").nth(1)).to_be_visible()
    expect(page.locator(".map-point").first).to_be_attached()  # drawn on a blank background
    page.wait_for_load_state("networkidle")
    shoot(page, "20-reseau-laptop")

    # and nothing was asked of a third party (no tile server set)
    assert [url for url in seen["requests"] if not url.startswith(page.url.split("/app/")[0])] == []

    # when they download the funder indicators as CSV
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Indicateurs (CSV)").click()
    download = download_info.value

    # then a CSV file whose first row is the indicators' header
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as file:
        text = file.read()
    dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    header = next(csv.reader(io.StringIO(text), dialect))
    assert header[:2] == ["Territoire", "Mois"]
    assert len(header) > 5

    # when they open an open referral and give it to another facilitator
    referral = Referral.objects.filter(status__in=OPEN_STATUSES, assigned_to__isnull=False).first()
    page.goto(f"/app/orientations/{referral.id}")
    expect(page.get_by_role("heading", name="Réattribuer")).to_be_visible()
    picker = page.get_by_label("Confier à")
    expect(picker.locator("option")).to_have_count(1 + 2)  # the prompt, two colleagues
    picker.select_option(index=1)
    target = picker.locator("option").nth(1).get_attribute("value")
    shoot(page, "21-referral-reassign")
    page.get_by_role("button", name="Réattribuer").click()

    # then the server has it, and the referral says who follows it now
    expect(page.get_by_role("status").filter(has_text="Réattribuée à")).to_be_visible()
    referral.refresh_from_db()
    assert referral.assigned_to_id == int(target)

    # and the CSP refused nothing (Leaflet's CSS comes from the bundle, no inline style)
    assert [e for e in seen["errors"] if "Content Security Policy" in e] == []


def test_le_reseau_shows_well_on_a_phone(phone, demo, shoot):
    page = phone.new_page()
    log_in(page, COORDINATOR)

    page.get_by_role("link", name="Le réseau").click()

    expect(page.get_by_role("list", name="Chiffres clés")).to_be_visible()
    expect(page.locator(".map-list")).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    shoot(page, "22-reseau-phone")


def test_a_facilitators_phone_never_loads_the_coordinators_code(phone, demo):
    page = phone.new_page()
    seen = watch(page)

    # given a facilitator who uses the app (its service worker precaches it)
    log_in(page, FACILITATOR)
    page.wait_for_function("() => Boolean(navigator.serviceWorker?.controller)")
    page.get_by_role("link", name="Capteurs").click()
    page.get_by_role("link", name="Moi").click()
    page.wait_for_load_state("networkidle")

    # then "Le réseau" is not in their navigation
    expect(page.get_by_role("link", name="Le réseau")).to_have_count(0)
    # and neither the page nor the service worker fetched the coordinator's code
    assert [url for url in seen["requests"] if COORDINATOR_CHUNKS.search(url)] == []
    cached = page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
              const cache = await caches.open(name);
              for (const request of await cache.keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )
    assert any("/app/assets/index-" in url for url in cached)  # the precache is there
    assert [url for url in cached if COORDINATOR_CHUNKS.search(url)] == []
