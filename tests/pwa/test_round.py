"""The facilitator's round ("Ma tournée") and visits in a real browser (headless Chromium,
390 × 844), against the live server: the day's stops in route order, a visit recorded as done
offline beside a note on a referral, both written once when the network returns; planning a
visit from a capteur. Screenshots: var/test-artifacts/pwa/."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backend.core.models import IdempotentRequest
from backend.referrals.models import ReferralEvent
from backend.visits.models import Visit, VisitEvent
from tests.accounts.factories import MembershipFactory, TerritoryFactory
from tests.capteurs.factories import CapteurFactory
from tests.pwa.conftest import PASSWORD
from tests.pwa.test_browser import assert_thumb_friendly, log_in, wait_for_service_worker
from tests.referrals.factories import ReferralFactory
from tests.visits.factories import VisitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Vue au marché, rappeler jeudi."
OUTCOME = "Affiche en vitrine, le gérant en parle aux habitués."


@pytest.fixture
def camille():
    # The round starts in Orthez.
    territory = TerritoryFactory(
        name="Ouest Béarn",
        slug="ouest-bearn",
        round_start_latitude="43.488000",
        round_start_longitude="-0.771000",
    )
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
def round_today(camille):
    """Three visits due today, planned far first: Mourenx (far), a shop without coordinates,
    Orthez (next door); and a referral of Camille's."""
    territory = camille.memberships.get().territory
    far = CapteurFactory(
        territory=territory,
        partner=True,
        name="Pharmacie de Mourenx",
        city="Mourenx",
        latitude="43.381000",
        longitude="-0.626000",
    )
    nowhere = CapteurFactory(
        territory=territory,
        partner=True,
        name="Épicerie du Col",
        city="Lanneplaa",
        latitude=None,
        longitude=None,
    )
    near = CapteurFactory(
        territory=territory,
        partner=True,
        name="Bar-tabac Le Balto",
        city="Orthez",
        latitude="43.489000",
        longitude="-0.772000",
    )
    visits = {
        capteur.name: VisitFactory(capteur=capteur, facilitator=camille)
        for capteur in (far, nowhere, near)
    }
    referral = ReferralFactory(capteur=near, assigned_to=camille, first_name="Jordan")
    return visits, referral


def test_a_facilitator_follows_the_round_and_records_a_visit_offline(phone, round_today, shoot):
    visits, referral = round_today
    balto = visits["Bar-tabac Le Balto"]
    page = phone.new_page()

    # given Camille logged in, who opened the referral once (kept for offline)
    log_in(page, referral.assigned_to)
    wait_for_service_worker(page)
    page.get_by_role("list", name="Orientations").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan")

    # when she opens her round
    page.get_by_role("link", name="Ma tournée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma tournée")

    # then the stops come in route order from Orthez, the one without coordinates last
    stops = page.get_by_role("list", name="Étapes de la tournée").get_by_role("listitem")
    expect(stops).to_have_count(3)
    expect(stops.nth(0)).to_contain_text("1. Bar-tabac Le Balto")
    expect(stops.nth(1)).to_contain_text("2. Pharmacie de Mourenx")
    expect(stops.nth(2)).to_contain_text("3. Épicerie du Col")
    expect(stops.nth(2)).to_contain_text("Sans coordonnées")
    maps = stops.nth(0).get_by_role("link", name="Ouvrir dans Plans")
    expect(maps).to_have_attribute(
        "href", "geo:43.489,-0.772?q=43.489,-0.772(Bar-tabac%20Le%20Balto)"
    )
    assert_thumb_friendly(page)
    shoot(page, "20-round")

    # when the network drops, she records the visit at the Balto as done
    phone.set_offline(True)
    stops.nth(0).get_by_role("button", name="Visite faite").click()
    form = page.get_by_role("form", name="Visite faite chez Bar-tabac Le Balto")
    form.get_by_label("Ce qui s’est dit").fill(OUTCOME)
    form.get_by_label("Suite à donner").fill("Rapporter des cartes.")
    assert_thumb_friendly(page)
    shoot(page, "21-round-visit-form")
    form.get_by_role("button", name="Enregistrer la visite").click()

    # then it waits on the phone, shown as pending
    expect(stops.nth(0)).to_contain_text("Faite — en attente d’envoi")
    expect(stops.nth(0).get_by_role("button", name="Visite faite")).to_have_count(0)
    shoot(page, "22-round-offline-pending")

    # and she writes a note on the referral, still offline
    page.get_by_role("link", name="Orientations").click()
    page.get_by_role("list", name="Orientations").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan")
    page.get_by_label("Ajouter une note").fill(NOTE)
    page.get_by_role("button", name="Enregistrer la note").click()
    expect(page.get_by_role("link", name="2 en attente")).to_be_visible()
    balto.refresh_from_db()
    assert balto.status == "planned"
    assert not ReferralEvent.objects.filter(referral=referral, kind="note").exists()

    # when the network returns
    phone.set_offline(False)

    # then both reach the server, once each
    expect(page.locator(".timeline-pending")).to_have_count(0, timeout=40_000)
    expect(page.get_by_role("link", name="en attente")).to_have_count(0, timeout=40_000)
    balto.refresh_from_db()
    assert (balto.status, balto.done_on, balto.outcome) == ("done", timezone.localdate(), OUTCOME)
    assert VisitEvent.objects.filter(visit=balto, kind="done").count() == 1
    notes = ReferralEvent.objects.filter(referral=referral, kind="note")
    assert [event.payload["text"] for event in notes] == [NOTE]
    assert IdempotentRequest.objects.filter(path=f"/api/v1/visits/{balto.id}/done/").count() == 1
    assert Visit.objects.filter(status="done").count() == 1

    # and the round shows what is left
    page.get_by_role("link", name="Ma tournée").click()
    expect(stops).to_have_count(2)
    expect(stops.nth(0)).to_contain_text("1. Pharmacie de Mourenx")
    shoot(page, "23-round-synced")


def test_a_facilitator_plans_a_visit_from_a_capteur(phone, camille, shoot):
    capteur = CapteurFactory(
        territory=camille.memberships.get().territory, name="Boulangerie Lartigue"
    )
    day = timezone.localdate() + datetime.timedelta(days=2)
    page = phone.new_page()
    log_in(page, camille)

    # when she plans a follow-up visit from the capteur's page
    page.goto(f"/app/capteurs/{capteur.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Boulangerie Lartigue")
    expect(page.get_by_text("Aucune visite pour l’instant.")).to_be_visible()
    form = page.get_by_role("form", name="Planifier une visite")
    form.get_by_label("Type de visite").select_option(label="Suivi")
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_label("Objet de la visite").fill("Présenter le réseau à la nouvelle gérante.")
    assert_thumb_friendly(page)
    form.get_by_role("button", name="Planifier une visite").click()

    # then the capteur lists it, and the server planned it once, for her
    visits = page.get_by_role("list", name="Visites").get_by_role("listitem")
    expect(visits).to_have_count(1)
    expect(visits.first).to_contain_text("Suivi")
    expect(visits.first).to_contain_text("Prévue")
    expect(visits.first).to_contain_text("Objet : Présenter le réseau à la nouvelle gérante.")
    shoot(page, "24-capteur-visit-planned")
    visit = Visit.objects.get(capteur=capteur)
    assert (visit.kind, visit.planned_on, visit.facilitator, visit.note) == (
        "follow_up",
        day,
        camille,
        "Présenter le réseau à la nouvelle gérante.",
    )
