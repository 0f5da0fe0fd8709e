"""The capteur space /c/<secret>: counts, posters and stickers, and "refer someone now"."""

import datetime
import html
import re

import pytest
from django.utils import timezone
from django.utils.text import slugify

from backend.capteurs.services import (
    capteur_space_issue,
    capteur_space_revoke,
    referral_code_revoke,
)
from backend.referrals.enums import Channel, ClosingReason, FilledBy, Status
from backend.referrals.models import Orientation, Referral
from backend.referrals.throttles import ReferralCodeThrottle
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.referrals.factories import ReferralFactory
from tests.structures.factories import StructureFactory

PERSON = "Zéphyrine"


@pytest.fixture
def capteur(territory, facilitator):
    capteur = CapteurFactory(territory=territory, partner=True, name="Bar-tabac du Centre")
    return capteur_space_issue(capteur=capteur, actor=None)


@pytest.fixture
def code(capteur):
    return ReferralCodeFactory(capteur=capteur, label="Vitrine")


def space(capteur):
    return f"/c/{capteur.space_secret}"


def text_of(response):
    return html.unescape(response.content.decode())


def form_data(**overrides):
    data = {
        "first_name": PERSON,
        "phone": "06 12 34 56 78",
        "call_moments": ["afternoon"],
        "needs": ["logement"],
        "note": "Loyer en retard depuis mars.",
        "consent": "on",
        "website": "",
        **overrides,
    }
    return {name: value for name, value in data.items() if value is not None}


def counts_of(body):
    """The counts as the page shows them: {label: number}."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", body)
    return {label.replace("\u00a0", " "): int(number) for label, number in pairs}


# --- what the capteur sees ---------------------------------------------------------------


def test_capteur_space_shows_the_capteur_and_its_prints(client, capteur, code):
    response = client.get(space(capteur))

    assert response.status_code == 200
    body = text_of(response)
    assert "Bar-tabac du Centre" in body
    assert code.short_code in body
    assert "Vitrine" in body
    assert f'href="/c/{capteur.space_secret}/codes/{code.pk}/affiche.pdf"' in body
    assert f'href="/c/{capteur.space_secret}/codes/{code.pk}/autocollants.pdf"' in body
    assert '<html lang="fr">' in body


def test_capteur_space_lists_active_codes_only(client, capteur, code):
    revoked = ReferralCodeFactory(capteur=capteur, revoked=True)

    body = text_of(client.get(space(capteur)))

    assert revoked.short_code not in body
    assert f"/codes/{revoked.pk}/" not in body


def test_capteur_space_counts_this_month_this_year_and_what_became_of_them(
    client, capteur, monkeypatch
):
    # given today is 15 June 2026 in Paris
    now = timezone.make_aware(datetime.datetime(2026, 6, 15, 12, 0))  # noqa: DTZ001
    monkeypatch.setattr(timezone, "now", lambda: now)

    def sent(on, **traits):
        referral = ReferralFactory(capteur=capteur, **traits)
        at = timezone.make_aware(on)
        Referral.objects.filter(pk=referral.pk).update(created_at=at)
        return referral

    # this month: one waiting, one contacted, one accompanied (sent right after midnight)
    sent(datetime.datetime(2026, 6, 10, 9, 0))  # noqa: DTZ001
    sent(datetime.datetime(2026, 6, 2, 9, 0), contacted=True)  # noqa: DTZ001
    sent(datetime.datetime(2026, 6, 1, 0, 30), closed=True)  # noqa: DTZ001
    # earlier this year: oriented; unreachable; a duplicate; met, with an orientation recorded
    sent(datetime.datetime(2026, 3, 3, 9, 0), oriented=True)  # noqa: DTZ001
    sent(
        datetime.datetime(2026, 2, 3, 9, 0),  # noqa: DTZ001
        closed=True,
        closing_reason=ClosingReason.UNREACHABLE,
    )
    sent(
        datetime.datetime(2026, 4, 3, 9, 0),  # noqa: DTZ001
        closed=True,
        closing_reason=ClosingReason.DUPLICATE,
    )
    met = sent(datetime.datetime(2026, 5, 3, 9, 0), met=True)  # noqa: DTZ001
    Orientation.objects.create(
        referral=met, structure=StructureFactory(territory=capteur.territory)
    )
    # last year, and another capteur's: not counted
    sent(datetime.datetime(2025, 12, 31, 23, 30), contacted=True)  # noqa: DTZ001
    ReferralFactory(capteur=CapteurFactory(territory=capteur.territory))

    # when the capteur opens its space
    response = client.get(space(capteur))

    # then
    assert counts_of(text_of(response)) == {
        "Ce mois-ci": 3,
        "Cette année": 6,
        "Contactées par l’équipe": 4,
        "Orientées vers une aide": 3,
        # last month (May): the met referral with an orientation
        "Envoyées": 1,
        "Jointes par l’équipe": 1,
        "Orientées": 1,
    }


def test_capteur_space_never_shows_a_referred_persons_data(client, capteur, code):
    # given a person the capteur sent
    ReferralFactory(
        capteur=capteur,
        code=code,
        first_name=PERSON,
        phone="+33698765432",
        email="zephyrine@example.org",
        note="Loyer en retard depuis mars.",
    )

    # when the capteur opens its space
    body = text_of(client.get(space(capteur)))

    # then it sees a count, never who
    assert counts_of(body)["Ce mois-ci"] == 1
    for secret in (PERSON, "98765432", "98 76 54 32", "zephyrine@", "Loyer en retard"):
        assert secret not in body


def test_capteur_space_costs_three_queries(client, capteur, code, django_assert_max_num_queries):
    ReferralFactory.create_batch(3, capteur=capteur)

    with django_assert_max_num_queries(3):
        response = client.get(space(capteur))

    assert response.status_code == 200


def test_capteur_space_is_private(client, capteur, code):
    response = client.get(space(capteur))

    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "same-origin"


def test_capteur_space_works_without_javascript(client, capteur, code):
    body = client.get(space(capteur)).content.decode().lower()

    assert "<script" not in body
    assert '<link rel="stylesheet"' not in body


# --- the secret link ---------------------------------------------------------------------


def test_an_unknown_secret_gets_the_french_404(client, db):
    response = client.get("/c/not-a-real-secret")

    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas." in text_of(response)


def test_a_revoked_space_link_no_longer_works(client, capteur, code):
    old = space(capteur)
    capteur_space_revoke(capteur=capteur, actor=None)

    assert client.get(old).status_code == 404
    assert client.post(old, form_data()).status_code == 404
    assert client.get(f"{old}/codes/{code.pk}/affiche.pdf").status_code == 404
    assert Referral.objects.count() == 0


def test_a_reissued_space_link_replaces_the_old_one(client, capteur, code):
    old = space(capteur)

    capteur = capteur_space_issue(capteur=capteur, actor=None)

    assert client.get(old).status_code == 404
    assert client.get(space(capteur)).status_code == 200


# --- downloads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "filename"),
    [("affiche.pdf", "affiche"), ("autocollants.pdf", "autocollants")],
)
def test_posters_and_stickers_download_as_files_with_a_clear_name(
    client, capteur, code, what, filename
):
    response = client.get(f"{space(capteur)}/codes/{code.pk}/{what}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    slug = slugify(capteur.name)
    assert response["Content-Disposition"] == (
        f'attachment; filename="{filename}-{slug}-{code.short_code}.pdf"'
    )
    assert "noindex" in response["X-Robots-Tag"]


def test_an_unchanged_poster_is_not_sent_again(client, capteur, code):
    url = f"{space(capteur)}/codes/{code.pk}/affiche.pdf"
    etag = client.get(url)["ETag"]

    response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


@pytest.mark.parametrize("what", ["affiche.pdf", "autocollants.pdf"])
def test_another_capteurs_code_cannot_be_downloaded(client, capteur, code, territory, what):
    # given a code of another capteur
    other = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    # when its id is put in this capteur's space link
    response = client.get(f"{space(capteur)}/codes/{other.pk}/{what}")

    # then
    assert response.status_code == 404


def test_a_revoked_code_cannot_be_downloaded(client, capteur, code):
    referral_code_revoke(code=code, actor=None)

    response = client.get(f"{space(capteur)}/codes/{code.pk}/affiche.pdf")

    assert response.status_code == 404


# --- refer someone now -------------------------------------------------------------------


def test_capteur_space_offers_the_form_for_someone_present(client, capteur, code):
    body = text_of(client.get(space(capteur)))

    assert "Je remplis pour une personne qui est avec moi." in body
    assert f'<form method="post" action="{space(capteur)}" novalidate>' in body
    assert "Prénom (ou surnom) de la personne" in body
    assert "La personne est présente et accepte" in body
    assert '<a href="/confidentialite?t=ouest-bearn">' in body
    # the capteur's phone must not fill in its own name and number
    for name in ("first_name", "phone", "email"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body).group(0)
        assert 'autocomplete="off"' in tag


def test_a_capteur_refers_someone_present(client, capteur, code, facilitator):
    # given an older active code too: the most recent one carries the referral
    newest = ReferralCodeFactory(capteur=capteur)

    # when the capteur fills in the form with the person
    response = client.post(space(capteur), form_data())

    # then the referral is recorded as filled in by the capteur, through its space
    referral = Referral.objects.get()
    assert referral.channel == Channel.CAPTEUR_SPACE
    assert referral.filled_by == FilledBy.CAPTEUR
    assert referral.code == newest
    assert referral.capteur == capteur
    assert referral.status == Status.NEW
    # and the capteur is told who will call, without the person's data in the URL or the page
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith(f"{space(capteur)}/merci/")
    confirmation = text_of(client.get(location))
    assert f"{facilitator.first_name}, de notre équipe, va appeler la personne." in confirmation
    assert PERSON not in confirmation
    assert f'href="{space(capteur)}"' in confirmation


def test_a_capteur_space_confirmation_belongs_to_its_capteur(client, capteur, code, territory):
    # given a confirmation link of this capteur, replayed under another capteur's space
    location = client.post(space(capteur), form_data())["Location"]
    other = capteur_space_issue(capteur=CapteurFactory(territory=territory), actor=None)
    signed = location.rsplit("/", 1)[1]

    response = client.get(f"{space(other)}/merci/{signed}")

    assert response.status_code == 404


def test_a_referral_from_the_space_costs_at_most_eight_queries(
    client, capteur, code, django_assert_max_real_queries
):
    with django_assert_max_real_queries(8):
        response = client.post(space(capteur), form_data())

    assert response.status_code == 303


def test_bad_input_in_the_space_shows_the_form_again_and_saves_nothing(client, capteur, code):
    response = client.post(space(capteur), form_data(phone="", email=""))

    assert response.status_code == 422
    assert Referral.objects.count() == 0
    body = text_of(response)
    assert 'role="alert"' in body
    assert f'value="{PERSON}"' in body
    assert "Ce mois-ci" in body  # the rest of the page is still there


def test_a_filled_honeypot_in_the_space_saves_nothing(client, capteur, code):
    response = client.post(space(capteur), form_data(website="spam"))

    assert response.status_code == 200
    assert "C’est envoyé." in text_of(response)
    assert Referral.objects.count() == 0


def test_referrals_from_the_space_are_rate_limited_per_code(client, capteur, code, monkeypatch):
    monkeypatch.setattr(ReferralCodeThrottle, "THROTTLE_RATES", {"referral_code": "1/hour"})

    first = client.post(space(capteur), form_data())
    second = client.post(space(capteur), form_data(phone="0612345679"))

    assert (first.status_code, second.status_code) == (303, 429)
    assert int(second["Retry-After"]) > 0
    assert Referral.objects.count() == 1


def test_without_an_active_code_the_space_asks_for_one(client, capteur):
    # given a capteur whose only code was revoked
    code = ReferralCodeFactory(capteur=capteur)
    referral_code_revoke(code=code, actor=None)

    # when it opens its space, or posts the form kept open
    page = client.get(space(capteur))
    posted = client.post(space(capteur), form_data())

    # then no form, but a way forward; nothing saved
    for response in (page, posted):
        body = text_of(response)
        assert response.status_code == 200
        assert "<form" not in body
        assert "Demandez un nouveau code à votre facilitateur." in body
    assert Referral.objects.count() == 0


def test_the_on_behalf_form_names_the_network_and_folds_the_optional_fields(client, capteur, code):
    body = text_of(client.get(space(capteur)))

    assert (
        "La personne est présente et accepte que Ouest Béarn garde ces informations "
        "pour la rappeler." in body
    )
    assert "Quand pouvons-nous l'appeler ? (facultatif)" in body
    assert '<details class="more">' in body


def test_the_on_behalf_confirmation_says_a_landline_gets_no_sms(client, capteur, code):
    response = client.post(space(capteur), form_data(phone="05 59 12 34 56"), follow=True)

    assert "la personne n’en recevra pas. Nous l’appellerons." in text_of(response)
