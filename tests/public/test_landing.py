import gzip
import re

import pytest
from django.test import override_settings
from django.urls import resolve
from django.utils import timezone

from backend.capteurs.enums import ScanSource
from backend.capteurs.models import CodeScanDay
from backend.public.views import server_error
from tests.accounts.factories import TerritoryFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

LANDING_BUDGET_BYTES = 30 * 1024
# No referrer to other sites; `no-referrer` itself would make browsers post the form with
# `Origin: null`, which the CSRF check refuses.
REFERRER_POLICY = "same-origin"


def _row(code):
    """Every stored column of a code, as the database has it."""
    code.refresh_from_db()
    return {field.attname: getattr(code, field.attname) for field in code._meta.concrete_fields}


@pytest.fixture
def code(territory):
    return ReferralCodeFactory(
        capteur=CapteurFactory(territory=territory, partner=True, name="Bar-tabac du Centre")
    )


def test_landing_shows_the_capteur_and_a_call_link_to_the_territory_line(client, code):
    response = client.get(code.public_path)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Vous venez de la part de" in body
    assert "Bar-tabac du Centre" in body
    assert 'href="tel:+33559601234"' in body
    assert "05 59 60 12 34" in body


def test_landing_offers_to_text_the_short_code_to_the_territory_sms_number(client, code):
    response = client.get(code.public_path)

    body = response.content.decode()
    assert f'href="sms:+33644630101?body={code.short_code}"' in body
    assert "06 44 63 01 01" in body
    assert "confidentielles" in body


def test_landing_escapes_the_capteur_name(client, territory):
    # given a capteur whose name contains markup
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, name="<b>Chez Léa</b>"))

    # when the landing page is shown
    body = client.get(code.public_path).content.decode()

    # then the name is text, not markup
    assert "&lt;b&gt;Chez Léa&lt;/b&gt;" in body


def test_landing_counts_one_scan_per_visit(client, code):
    # given a code never scanned
    assert code.scan_count == 0

    # when its landing page is visited
    client.get(code.public_path)

    # then one scan is counted, with its time
    code.refresh_from_db()
    assert code.scan_count == 1
    assert code.last_scan_at is not None


def test_head_request_does_not_count_a_scan(client, code):
    response = client.head(code.public_path)

    assert response.status_code == 200
    code.refresh_from_db()
    assert code.scan_count == 0


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_only_get_head_and_post_are_allowed_on_the_landing(client, code, method):
    response = getattr(client, method)(code.public_path)

    assert response.status_code == 405
    code.refresh_from_db()
    assert code.scan_count == 0


def test_a_scan_stores_nothing_about_the_visitor(client, code):
    # given the code as it is before any visit
    before = _row(code)

    # when someone visits from a given address and browser
    client.get(
        code.public_path, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android)"
    )

    # then only the counter and its time moved; the visitor is nowhere in the row
    after = _row(code)
    changed = {field for field in after if after[field] != before[field]}
    assert changed == {"scan_count", "last_scan_at"}
    assert "203.0.113.7" not in str(after)
    assert "Android" not in str(after)


def test_landing_costs_one_select_one_update_and_one_upsert(
    client, code, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get(code.public_path)

    assert response.status_code == 200


def test_scans_are_kept_per_day_and_source_in_one_row_each(client, code):
    # given a poster scanned three times by its QR code and once through its typed link
    for _ in range(3):
        client.get(f"{code.public_path}?via=qr")
    client.get(code.public_path)

    # then the day has one row per source, with its count, and nothing about the visitors
    today = timezone.localdate()
    rows = set(CodeScanDay.objects.filter(code=code).values_list("day", "source", "count"))
    assert rows == {(today, ScanSource.QR, 3), (today, ScanSource.LINK, 1)}


def test_revoked_code_is_gone_but_still_gives_the_territory_line(client, territory):
    # given a revoked code (a defaced poster)
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    # when someone scans it
    response = client.get(code.public_path)

    # then the page says so plainly, and the person can still call
    assert response.status_code == 410
    body = response.content.decode()
    assert "plus valable" in body
    assert 'href="tel:+33559601234"' in body
    assert "05 59 60 12 34" in body
    # the short code is dead: no SMS path
    assert "sms:" not in body


def test_revoked_code_scans_are_still_counted(client, territory):
    # Knowing that an old poster is still scanned tells the facilitator to replace it.
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    client.get(code.public_path)

    code.refresh_from_db()
    assert code.scan_count == 1


def test_unknown_token_gets_a_helpful_french_404(client, db):
    response = client.get("/r/not-a-real-token")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Ce lien ne fonctionne pas." in body
    assert "nouveau lien" in body
    assert 'lang="fr"' in body


@override_settings(DEBUG=True)
def test_unknown_token_gets_the_designed_404_even_in_debug(client, db):
    response = client.get("/r/not-a-real-token")

    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas." in response.content.decode()


def test_unknown_url_gets_the_french_404(client, db):
    response = client.get("/nowhere/at/all")

    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas." in response.content.decode()


def test_server_error_page_is_french_and_needs_no_database(rf):
    # No `db` fixture: any query would fail this test (the database may be what broke).
    response = server_error(rf.get("/r/anything"))

    assert response.status_code == 500
    body = response.content.decode()
    assert "Un problème est arrivé" in body
    assert 'lang="fr"' in body


def test_landing_works_without_javascript(client, code):
    body = client.get(code.public_path).content.decode().lower()

    assert "<script" not in body
    assert " onclick=" not in body
    # nothing to fetch after the HTML: no stylesheet, font or image file
    assert '<link rel="stylesheet"' not in body
    assert "<img" not in body
    assert "@font-face" not in body


def test_landing_fits_the_transfer_budget(client, code):
    response = client.get(code.public_path, HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) <= LANDING_BUDGET_BYTES
    assert "Bar-tabac du Centre" in gzip.decompress(response.content).decode()


@pytest.mark.parametrize("path_of", [lambda code: code.public_path, lambda code: "/r/unknown"])
def test_token_pages_are_private(client, code, path_of):
    response = client.get(path_of(code))

    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == REFERRER_POLICY


def test_revoked_page_is_private(client, territory):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    response = client.get(code.public_path)

    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == REFERRER_POLICY


def test_landing_is_french_and_sized_for_phones(client, code):
    body = client.get(code.public_path).content.decode()

    assert '<html lang="fr">' in body
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in body
    headings = re.findall(r"<h1[ >]", body)
    assert len(headings) == 1


def test_landing_stays_french_for_a_browser_asking_for_english(client, code):
    # The page is written in French until a catalogue translates it: say so to screen readers.
    body = client.get(code.public_path, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="fr">' in body


def test_territory_without_numbers_hides_call_and_sms_links(client, db):
    # given a territory with no phone line and no SMS number
    territory = TerritoryFactory(contact_phone="", sms_number="", contact_email="")
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, name="Club de foot"))

    # when its landing page is shown
    response = client.get(code.public_path)

    # then it renders, without dead links, and points back to the capteur
    assert response.status_code == 200
    body = response.content.decode()
    assert "tel:" not in body
    assert "sms:" not in body
    assert "Demandez à Club de foot comment nous joindre." in body


def test_territory_without_phone_line_offers_the_sms_path_only(client, db):
    territory = TerritoryFactory(contact_phone="")
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    body = client.get(code.public_path).content.decode()

    assert "tel:" not in body
    assert f"body={code.short_code}" in body


def test_territory_without_sms_number_offers_the_call_only(client, db):
    territory = TerritoryFactory(sms_number="")
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory))

    body = client.get(code.public_path).content.decode()

    assert 'href="tel:+33559601234"' in body
    assert "sms:" not in body


def test_revoked_code_of_a_territory_without_phone_line_still_helps(client, db):
    territory = TerritoryFactory(contact_phone="", contact_email="")
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    response = client.get(code.public_path)

    assert response.status_code == 410
    assert "nouveau lien" in response.content.decode()


def test_a_browser_prefetch_is_not_counted_as_a_scan(client, db):
    # given
    code = ReferralCodeFactory()

    # when the browser prefetches the link (a person has not opened it)
    response = client.get(f"/r/{code.token}", HTTP_SEC_PURPOSE="prefetch")

    # then
    assert response.status_code == 200
    code.refresh_from_db()
    assert code.scan_count == 0


def test_an_unknown_api_url_is_a_problem_document(client, settings):
    settings.DEBUG = False

    response = client.get("/api/v1/nowhere/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_token_pages_forbid_scripts_and_third_parties(client, db):
    code = ReferralCodeFactory()

    response = client.get(f"/r/{code.token}")

    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "form-action 'self'" in policy
    assert "script-src" not in policy


def test_an_api_server_error_is_a_problem_document(rf):
    response = server_error(rf.get("/api/v1/capteurs/"))

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


# --- the short link printed on posters: /<SHORTCODE> ----------------------------------------


def test_the_short_link_redirects_to_the_landing_page_whatever_the_case(client, code):
    for typed in (code.short_code, code.short_code.lower()):
        response = client.get(f"/{typed}")

        assert response.status_code == 302
        assert response["Location"] == f"{code.public_path}?via=short"
        assert response["X-Robots-Tag"] == "noindex"


def test_a_visit_through_the_short_link_counts_as_a_short_link_scan(client, code):
    client.get(f"/{code.short_code.lower()}", follow=True)

    scans = {row.source: row.count for row in CodeScanDay.objects.filter(code=code)}
    assert scans == {ScanSource.SHORT_LINK: 1}


def test_a_revoked_codes_short_link_leads_to_the_french_410(client, territory):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    response = client.get(f"/{code.short_code}", follow=True)

    assert response.status_code == 410


@pytest.mark.parametrize(
    "typed", ["ZZZZ", "K0Q2", "KOQ2", "K1Q2", "KIQ2", "KLQ2", "ABC", "ABCDEFG"]
)
def test_an_unknown_or_impossible_short_link_is_the_french_404(client, db, typed):
    response = client.get(f"/{typed}")

    assert response.status_code == 404
    assert "Ce lien ne fonctionne pas." in response.content.decode()


@pytest.mark.parametrize(
    ("path", "view_name"),
    [
        ("/app/", "pwa-shell"),
        ("/healthz", "healthz"),
        ("/confidentialite", "privacy"),
        ("/admin/", "index"),
        ("/api/v1/referrals/", None),
        ("/r/ABCD", "landing"),
        ("/c/ABCD", "capteur-space"),
    ],
)
def test_the_short_link_shadows_no_other_route(path, view_name):
    match = resolve(path)

    assert match.url_name != "short-link"
    if view_name:
        assert match.url_name == view_name
