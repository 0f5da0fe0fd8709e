"""The privacy notice /confidentialite, in plain French, with the version stored with consents."""

import html

from backend.referrals.privacy import PRIVACY_NOTICE_VERSION
from tests.accounts.factories import TerritoryFactory


def text_of(response):
    return html.unescape(response.content.decode()).replace("\u00a0", " ")


def test_privacy_notice_is_french_and_shows_its_version(client, db):
    response = client.get("/confidentialite")

    assert response.status_code == 200
    body = text_of(response)
    assert '<html lang="fr">' in body
    assert f"Version du {PRIVACY_NOTICE_VERSION}." in body
    for heading in (
        "Qui est responsable ?",
        "À quoi servent vos informations ?",
        "Ce que nous gardons",
        "Combien de temps ?",
        "Vos droits",
        "Nous contacter",
    ):
        assert heading in body
    assert "Le réseau Relais de votre territoire." in body
    assert "Puis encore 24 mois." in body
    assert 'href="https://www.cnil.fr/fr/plaintes"' in body


def test_privacy_notice_names_the_rights(client, db):
    body = text_of(client.get("/confidentialite"))

    for right in ("voir les informations", "corriger", "effacer", "dire non", "une copie"):
        assert right in body


def test_privacy_notice_of_a_territory_gives_its_contacts_and_retention(client, db):
    # given a territory that keeps closed referrals 36 months
    TerritoryFactory(
        name="Haut Béarn", slug="haut-bearn", contact_email="rgpd@example.org", retention_months=36
    )

    # when the notice is opened from its form
    body = text_of(client.get("/confidentialite?t=haut-bearn"))

    # then it names the network, its contacts and its own retention
    assert "Le réseau Relais Haut Béarn." in body
    assert 'href="mailto:rgpd@example.org"' in body
    assert 'href="tel:+33559601234"' in body
    assert "Puis encore 36 mois." in body


def test_an_unknown_territory_gives_the_generic_notice(client, db):
    response = client.get("/confidentialite?t=nowhere")

    assert response.status_code == 200
    body = text_of(response)
    assert "Le réseau Relais de votre territoire." in body
    assert "Demandez son adresse à la personne qui vous a donné le lien." in body


def test_privacy_notice_stays_french_for_a_browser_asking_for_english(client, db):
    body = text_of(client.get("/confidentialite", HTTP_ACCEPT_LANGUAGE="en"))

    assert '<html lang="fr">' in body
    assert "Vos droits" in body
