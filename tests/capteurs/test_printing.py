"""QR codes, posters and sticker sheets: read back with a real QR decoder and a PDF renderer."""

import dataclasses
import io
import re
from dataclasses import dataclass
from xml.etree import ElementTree

import phonenumbers
import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.utils import translation
from PIL import Image, ImageDraw
from rest_framework.test import APIClient

from backend.capteurs.enums import ScanSource
from backend.capteurs.models import CodeScanDay
from backend.capteurs.printing.content import display_phone, print_content, print_etag
from backend.capteurs.printing.qr import qr_matrix, qr_png
from backend.capteurs.services import referral_code_revoke
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

pytestmark = pytest.mark.django_db

PRINTS = ["qr.svg", "qr.png", "poster.pdf", "stickers.pdf"]
A4_POINTS = (595.28, 841.89)
CAPTEUR_NAME = "Épicerie solidaire « Cœur de Béarn »"


@pytest.fixture
def code(territory):
    capteur = CapteurFactory(territory=territory, partner=True, name=CAPTEUR_NAME)
    return ReferralCodeFactory(capteur=capteur)


def url_of(code, what):
    return f"/api/v1/codes/{code.id}/{what}"


def decoded(image):
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


@dataclass
class PdfPage:
    page_count: int
    size: tuple[float, float]
    text: str
    image: Image.Image


def first_page(pdf_bytes) -> PdfPage:
    """Page 1 of a PDF as pdfium sees it: its size in points, its text, a 144 dpi image.

    Line breaks become spaces (pdfium ends lines with CR LF, sometimes with U+FFFE), so a
    sentence wrapped on two lines is still found whole.
    """
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        page = pdf[0]
        text_page = page.get_textpage()
        result = PdfPage(
            page_count=len(pdf),
            size=page.get_size(),
            text=re.sub(r"[\r\n\ufffe]+", " ", text_page.get_text_range()),
            image=page.render(scale=2).to_pil(),
        )
        text_page.close()
        page.close()
    finally:
        pdf.close()
    return result


def svg_as_image(svg_bytes):
    """Rasterizes the QR SVG (a white square and one path of `M x y h n v1 h-n z` runs)."""
    root = ElementTree.fromstring(svg_bytes)  # noqa: S314 (our own output, not untrusted)
    size = int(root.get("viewBox").split()[2])
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    scale = 10
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, length in re.findall(r"M(\d+) (\d+)h(\d+)", path):
        x, y, length = int(x), int(y), int(length)
        draw.rectangle(
            [x * scale, y * scale, (x + length) * scale - 1, (y + 1) * scale - 1], fill=0
        )
    return image


# --- The QR code ----------------------------------------------------------------------


def test_qr_png_decodes_to_the_code_link(facilitator_api, code):
    response = facilitator_api.get(url_of(code, "qr.png"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.width == image.height >= 600
    assert decoded(image) == [code.qr_url]


def test_qr_svg_is_an_svg_document_of_the_code_link(facilitator_api, code):
    response = facilitator_api.get(url_of(code, "qr.svg"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert decoded(svg_as_image(response.content)) == [code.qr_url]


def test_qr_code_has_error_correction_q_and_a_four_module_quiet_zone(code):
    # given
    matrix = qr_matrix(code.qr_url)
    size = matrix.size

    # when
    barcode = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(matrix))))[0]

    # then
    assert barcode.ec_level == "Q"
    border = [
        matrix.cells[row * size + column]
        for row in range(size)
        for column in range(size)
        if min(row, column, size - 1 - row, size - 1 - column) < 4
    ]
    assert not any(border)
    assert matrix.cells[4 * size + 4] == 1  # the finder pattern starts right inside


# --- The poster -----------------------------------------------------------------------


def test_poster_is_one_a4_page(facilitator_api, code):
    response = facilitator_api.get(url_of(code, "poster.pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    page = first_page(response.content)
    assert page.page_count == 1
    assert page.size == pytest.approx(A4_POINTS, abs=0.5)
    assert len(response.content) < 80_000  # fonts are subset: light enough to mail


def test_poster_qr_decodes_to_the_code_link(facilitator_api, code):
    response = facilitator_api.get(url_of(code, "poster.pdf"))

    assert decoded(first_page(response.content).image) == [code.qr_url]


def test_poster_shows_the_capteur_the_short_code_and_the_numbers(facilitator_api, code):
    response = facilitator_api.get(url_of(code, "poster.pdf"))

    text = first_page(response.content).text
    assert CAPTEUR_NAME in text
    assert f"Ou envoyez {code.short_code} par SMS au 06 44 63 01 01" in text
    assert "Ou appelez le 05 59 60 12 34" in text
    assert f"ou tapez {code.short_url.split('://')[1]}" in text


def test_poster_says_who_calls_back_free_and_confidential_and_the_shop_as_chez(
    facilitator_api, code
):
    text = first_page(facilitator_api.get(url_of(code, "poster.pdf")).content).text

    assert text.startswith("Ouest Béarn")  # the network, in the band at the top
    assert f"chez {CAPTEUR_NAME}" in text
    assert "C’est gratuit et confidentiel." in text


@pytest.mark.parametrize("what", ["poster.pdf", "stickers.pdf"])
def test_the_printed_short_link_leads_to_the_landing_page_and_counts_a_short_scan(
    facilitator_api, client, code, what
):
    # given the link as printed
    text = first_page(facilitator_api.get(url_of(code, what)).content).text
    printed = re.search(r"tapez (\S+)", text).group(1)
    assert len(printed.split("/", 1)[1]) <= 6

    # when a person types it, in lower case
    path = "/" + printed.split("/", 1)[1].lower()
    response = client.get(path, follow=True)

    # then
    assert response.redirect_chain == [(f"{code.public_path}?via=short", 302)]
    assert response.status_code == 200
    assert "Nous pouvons vous aider" in response.content.decode()
    scans = {row.source: row.count for row in CodeScanDay.objects.filter(code=code)}
    assert scans == {ScanSource.SHORT_LINK: 1}


def test_poster_keeps_french_accents_and_typography(facilitator_api, code):
    response = facilitator_api.get(url_of(code, "poster.pdf"))

    text = first_page(response.content).text
    assert "Épicerie" in text and "Cœur de Béarn" in text and "«" in text
    assert "Besoin d\u2019un coup de main\u202f?" in text
    assert "Laissez votre numéro, on vous rappelle." in text
    assert "Scannez avec votre téléphone" in text


def test_poster_without_sms_number_offers_a_call_with_the_code(facilitator_api, code, territory):
    # given
    territory.sms_number = ""
    territory.save()

    # when
    response = facilitator_api.get(url_of(code, "poster.pdf"))

    # then
    text = first_page(response.content).text
    assert "SMS" not in text
    assert f"Ou appelez le 05 59 60 12 34 et donnez le code {code.short_code}" in text


def test_poster_without_any_number_still_shows_the_code(facilitator_api, code, territory):
    # given
    territory.sms_number = ""
    territory.contact_phone = ""
    territory.save()

    # when
    response = facilitator_api.get(url_of(code, "poster.pdf"))

    # then
    page = first_page(response.content)
    assert f"Votre code : {code.short_code}" in page.text  # pdfium reads a no-break space as " "
    assert "SMS" not in page.text and "appelez" not in page.text
    assert decoded(page.image) == [code.qr_url]


def test_very_long_capteur_name_is_cut_and_the_poster_still_scans(facilitator_api, territory):
    # given
    name = "Association intercommunale " * 7
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, name=name.strip()))

    # when
    response = facilitator_api.get(url_of(code, "poster.pdf"))

    # then
    page = first_page(response.content)
    assert "\u2026" in page.text
    assert decoded(page.image) == [code.qr_url]


# --- The sticker sheet ----------------------------------------------------------------


def test_sticker_sheet_is_one_a4_page_of_four_stickers_that_scan(facilitator_api, code):
    response = facilitator_api.get(url_of(code, "stickers.pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    page = first_page(response.content)
    assert page.page_count == 1
    assert page.size == pytest.approx(A4_POINTS, abs=0.5)
    assert decoded(page.image) == [code.qr_url] * 4


def test_each_sticker_shows_the_capteur_the_short_code_and_the_sms_number(facilitator_api, code):
    response = facilitator_api.get(url_of(code, "stickers.pdf"))

    text = first_page(response.content).text
    assert text.count(f"chez {CAPTEUR_NAME}") == 4
    assert text.count("Ouest Béarn") == 4
    assert text.count("gratuit et confidentiel") == 4
    assert text.count(f"Ou envoyez {code.short_code} par SMS") == 4
    assert text.count(f"tapez {code.short_url.split('://')[1]}") == 4
    assert text.count("06 44 63 01 01") == 4
    assert text.count("on vous rappelle") == 4


# --- HTTP: headers, caching, who may print what ---------------------------------------


@pytest.mark.parametrize(
    ("what", "filename"),
    [
        ("qr.svg", "relais-qr-{code}.svg"),
        ("qr.png", "relais-qr-{code}.png"),
        ("poster.pdf", "relais-affiche-{code}.pdf"),
        ("stickers.pdf", "relais-autocollants-{code}.pdf"),
    ],
)
def test_prints_open_inline_with_a_filename_naming_the_code(facilitator_api, code, what, filename):
    response = facilitator_api.get(url_of(code, what))

    expected = filename.format(code=code.short_code)
    assert response["Content-Disposition"] == f'inline; filename="{expected}"'


@pytest.mark.parametrize(
    ("what", "accept"),
    [
        ("qr.svg", "image/svg+xml"),
        ("qr.png", "image/png"),
        ("qr.png", "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"),
        ("poster.pdf", "application/pdf"),
        ("stickers.pdf", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
    ],
)
def test_prints_are_served_whatever_the_browser_accepts(facilitator_api, code, what, accept):
    response = facilitator_api.get(url_of(code, what), HTTP_ACCEPT=accept)

    assert response.status_code == 200


def test_errors_stay_problem_details_when_an_image_is_asked(facilitator_api):
    response = facilitator_api.get("/api/v1/codes/999999/qr.png", HTTP_ACCEPT="image/png")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("what", PRINTS)
def test_unchanged_print_is_not_sent_again(facilitator_api, code, what):
    # given
    first = facilitator_api.get(url_of(code, what))
    etag = first["ETag"]

    # when
    again = facilitator_api.get(url_of(code, what), HTTP_IF_NONE_MATCH=etag)

    # then
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert "private" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert "private" in again["Cache-Control"]


def test_weak_etag_from_a_gzipping_proxy_still_revalidates(facilitator_api, code):
    etag = facilitator_api.get(url_of(code, "poster.pdf"))["ETag"]

    again = facilitator_api.get(url_of(code, "poster.pdf"), HTTP_IF_NONE_MATCH=f"W/{etag}")

    assert again.status_code == 304


def rename_capteur(code):
    code.capteur.name = "Bar-tabac de la Gare"
    code.capteur.save()


def change_sms_number(code):
    code.capteur.territory.sms_number = "+33781234567"
    code.capteur.territory.save()


def remove_phone(code):
    code.capteur.territory.contact_phone = ""
    code.capteur.territory.save()


@pytest.mark.parametrize("change", [rename_capteur, change_sms_number, remove_phone])
@pytest.mark.parametrize("what", ["qr.png", "poster.pdf", "stickers.pdf"])
def test_print_is_sent_again_when_what_it_shows_changes(facilitator_api, code, what, change):
    # given
    etag = facilitator_api.get(url_of(code, what))["ETag"]

    # when
    change(code)
    response = facilitator_api.get(url_of(code, what), HTTP_IF_NONE_MATCH=etag)

    # then
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_etag_depends_on_every_printed_value_the_language_and_the_revocation(code):
    content = print_content(code)
    etag = print_etag(content, kind="poster.pdf")
    changes = [
        {"capteur_name": "Autre"},
        {"territory_name": "Autre"},
        {"url": content.url + "x"},
        {"qr_url": content.qr_url + "x"},
        {"short_code": "ZZZZ"},
        {"sms_number": ""},
        {"phone": ""},
        {"active": False},
    ]

    for change in changes:
        changed = dataclasses.replace(content, **change)
        assert print_etag(changed, kind="poster.pdf") != etag, change
    assert print_etag(content, kind="stickers.pdf") != etag
    with translation.override("en"):
        assert print_etag(content, kind="poster.pdf") != etag


@pytest.mark.parametrize("what", PRINTS)
def test_revoked_code_is_not_printed(facilitator_api, territory, what):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory), revoked=True)

    response = facilitator_api.get(url_of(code, what))

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "code_revoked"
    assert "révoqué" in response.json()["detail"]


def test_revoked_code_is_not_printed_even_from_a_browser_cache(facilitator_api, facilitator, code):
    # given a poster printed before the code was revoked
    etag = facilitator_api.get(url_of(code, "poster.pdf"))["ETag"]
    referral_code_revoke(code=code, actor=facilitator)

    # when the browser revalidates its copy
    response = facilitator_api.get(url_of(code, "poster.pdf"), HTTP_IF_NONE_MATCH=etag)

    # then
    assert response.status_code == 409


@pytest.mark.parametrize("what", PRINTS)
def test_code_of_another_territory_is_not_found(facilitator_api, other_territory, what):
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=other_territory))

    response = facilitator_api.get(url_of(code, what))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_known_etag_does_not_reveal_another_territorys_code(facilitator_api, other_territory):
    # given the ETag of a poster of another territory
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=other_territory))
    insider = APIClient()
    insider.force_authenticate(MembershipFactory(territory=other_territory).user)
    etag = insider.get(url_of(code, "poster.pdf"))["ETag"]

    # when someone outside that territory replays it
    response = facilitator_api.get(url_of(code, "poster.pdf"), HTTP_IF_NONE_MATCH=etag)

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("what", PRINTS)
def test_prints_require_a_login(api, code, what):
    response = api.get(url_of(code, what))

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_a_print_costs_two_queries_whether_rendered_or_revalidated(
    facilitator_api, code, django_assert_num_queries
):
    # the membership check, then the code joined to its capteur and territory
    with django_assert_num_queries(2):
        etag = facilitator_api.get(url_of(code, "poster.pdf"))["ETag"]
    with django_assert_num_queries(2):
        facilitator_api.get(url_of(code, "poster.pdf"), HTTP_IF_NONE_MATCH=etag)


# --- Rendering details ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "printed"),
    [
        ("+33644630101", "06 44 63 01 01"),
        ("+33559601234", "05 59 60 12 34"),
        ("+32470123456", "+32 470 12 34 56"),
        ("", ""),
    ],
)
def test_phone_numbers_are_printed_as_people_of_the_territory_write_them(number, printed):
    parsed = phonenumbers.parse(number) if number else ""

    assert display_phone(parsed) == printed
