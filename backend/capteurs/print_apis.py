"""QR codes, posters and sticker sheets of a referral code: binary, scoped, revalidated by ETag.

Order of every request: authentication and permission (401/403), territory scoping (404), the
capteurs perms (403), revocation (409), and only then the ETag comparison (304) and the
rendering. A 304 therefore never tells anyone that a code they may not see exists.
"""

from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import content_disposition_header, quote_etag
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from backend.capteurs import perms, selectors
from backend.capteurs.models import Capteur, ReferralCode
from backend.capteurs.printing.content import display_phone, print_content, print_etag
from backend.capteurs.printing.poster import poster_pdf
from backend.capteurs.printing.qr import qr_matrix, qr_png, qr_svg
from backend.capteurs.printing.stickers import stickers_pdf
from backend.capteurs.printing.welcome import welcome_pdf
from backend.core.errors import DomainError

# Browsers revalidate on every use (a cheap 304) rather than reuse silently: a facilitator who
# fixes a capteur's name and prints again must get the corrected poster at once.
PRINT_MAX_AGE = 0


def access_printable_code(*, user, code_id) -> ReferralCode:
    """The code `code_id` if `user` sees it (404 otherwise), may print it (403 otherwise) and it
    may still be printed.

    Raises DomainError for a revoked code: a poster of a dead code would send people nowhere.
    """
    code = selectors.referral_code_get(user=user, pk=code_id)
    if not perms.can_view_capteur(user, code.capteur):
        raise PermissionDenied(
            _("Seuls les membres du territoire du capteur peuvent imprimer ses codes.")
        )
    if not code.is_active:
        raise DomainError(
            _("Ce code est révoqué : on ne peut plus l'imprimer."),
            code="code_revoked",
        )
    return code


def _print_schema(*, operation_id, media_type):
    return extend_schema(
        operation_id=operation_id,
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY),
            304: OpenApiResponse(description="Unchanged since the ETag sent in If-None-Match."),
            404: OpenApiResponse(description="No such code in the user's territories."),
            409: OpenApiResponse(description="The code is revoked: it cannot be printed."),
        },
    )


class _CodePrintApi(APIView):
    """A binary rendering of a referral code. Subclasses name the format and render it."""

    # Success bodies are bytes of one fixed type whatever the Accept header (a browser tab,
    # an <img>, a download); the only documents that go through a renderer are errors, and
    # those are always problem details. So no negotiation, hence no 406.
    renderer_classes = [JSONRenderer]
    kind: str
    media_type: str
    filename: str  # with a {code} placeholder

    def perform_content_negotiation(self, request, force=False):
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    # Each subclass defines `render(self, content: PrintContent) -> bytes`.

    def respond(self, request, code_id):
        code = access_printable_code(user=request.user, code_id=code_id)
        return code_print_response(request, code, printer=self)


def code_print_response(
    request, code, *, printer, filename: str | None = None, attachment: bool = False
) -> HttpResponse:
    """`printer`'s rendering of the active `code` (capteur__territory loaded), by ETag.

    Precondition: the caller checked who may print `code` (staff scoping, or the capteur
    space's secret) and that it is active. `printer` names kind, media_type, filename, render;
    `filename` replaces the printer's, `attachment` downloads the file instead of opening it.
    """
    content = print_content(code)
    etag = quote_etag(print_etag(content, kind=printer.kind))
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(printer.render(content), content_type=printer.media_type)
        disposition = content_disposition_header(
            as_attachment=attachment,
            filename=filename or printer.filename.format(code=content.short_code),
        )
        if disposition is not None:  # None only without a filename, and there is always one
            response["Content-Disposition"] = disposition
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=PRINT_MAX_AGE, must_revalidate=True)
    return response


@extend_schema(tags=["codes"])
class CodeQrSvgApi(_CodePrintApi):
    """The QR code of the code's public link, as SVG (error correction Q, 4-module margin)."""

    kind = "qr.svg"
    media_type = "image/svg+xml"
    filename = "relais-qr-{code}.svg"

    def render(self, content):
        return qr_svg(qr_matrix(content.qr_url))

    @_print_schema(operation_id="codes_qr_svg_retrieve", media_type=media_type)
    def get(self, request, code_id):
        return self.respond(request, code_id)


@extend_schema(tags=["codes"])
class CodeQrPngApi(_CodePrintApi):
    """The QR code of the code's public link, as a 1-bit PNG of at least 720 px, 300 dpi."""

    kind = "qr.png"
    media_type = "image/png"
    filename = "relais-qr-{code}.png"

    def render(self, content):
        return qr_png(qr_matrix(content.qr_url))

    @_print_schema(operation_id="codes_qr_png_retrieve", media_type=media_type)
    def get(self, request, code_id):
        return self.respond(request, code_id)


@extend_schema(tags=["codes"])
class CodePosterApi(_CodePrintApi):
    """The A4 poster: capteur's name, big QR code, short code with the SMS number, phone."""

    kind = "poster.pdf"
    media_type = "application/pdf"
    filename = "relais-affiche-{code}.pdf"

    def render(self, content):
        return poster_pdf(content, qr_matrix(content.qr_url))

    @_print_schema(operation_id="codes_poster_retrieve", media_type=media_type)
    def get(self, request, code_id):
        return self.respond(request, code_id)


@extend_schema(tags=["codes"])
class CodeStickersApi(_CodePrintApi):
    """An A4 sheet of four A6 stickers, each with the QR code, short code and SMS number."""

    kind = "stickers.pdf"
    media_type = "application/pdf"
    filename = "relais-autocollants-{code}.pdf"

    def render(self, content):
        return stickers_pdf(content, qr_matrix(content.qr_url))

    @_print_schema(operation_id="codes_stickers_retrieve", media_type=media_type)
    def get(self, request, code_id):
        return self.respond(request, code_id)


# --- the capteur space's link, handed over in the shop -------------------------------------


def access_capteur_space(*, user, capteur_id) -> Capteur:
    """The capteur `capteur_id` if `user` sees it (404), may hand over its space link (403) and
    it has one (409)."""
    capteur = selectors.capteur_get(user=user, pk=capteur_id)
    if not perms.can_manage_capteur_space(user, capteur):
        raise PermissionDenied(
            _("Seuls les membres du territoire du capteur peuvent donner son lien d'espace.")
        )
    if not capteur.space_secret:
        raise DomainError(
            _("Ce capteur n'a pas encore d'espace : créez d'abord son lien."),
            code="no_capteur_space",
        )
    return capteur


def _secret_response(body, *, media_type, filename, attachment) -> HttpResponse:
    """A document carrying the space's secret link: never stored by a cache or a proxy."""
    response = HttpResponse(body, content_type=media_type)
    disposition = content_disposition_header(as_attachment=attachment, filename=filename)
    if disposition is not None:
        response["Content-Disposition"] = disposition
    patch_cache_control(response, private=True, no_store=True)
    return response


def _space_schema(*, operation_id, media_type):
    return extend_schema(
        tags=["capteurs"],
        operation_id=operation_id,
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(description="No such capteur in the user's territories."),
            409: OpenApiResponse(description="The capteur has no space link yet."),
        },
    )


class _SpacePrintApi(APIView):
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type


class CapteurSpaceQrSvgApi(_SpacePrintApi):
    """The QR code of the capteur space's link, for the facilitator's screen: the shopkeeper
    scans it in the shop (no SMS needed). Not cached: the link is a secret."""

    @_space_schema(operation_id="capteur_space_qr_svg", media_type="image/svg+xml")
    def get(self, request, capteur_id):
        capteur = access_capteur_space(user=request.user, capteur_id=capteur_id)
        return _secret_response(
            qr_svg(qr_matrix(capteur.space_url)),
            media_type="image/svg+xml",
            filename=f"espace-{slugify(capteur.name)}.svg",
            attachment=False,
        )


class CapteurSpaceWelcomeApi(_SpacePrintApi):
    """The welcome sheet (A4 PDF) to hand a capteur: its space link as a QR code, and how to
    print posters, refer someone and read the counts. Downloaded as a file."""

    @_space_schema(operation_id="capteur_space_welcome_pdf", media_type="application/pdf")
    def get(self, request, capteur_id):
        capteur = access_capteur_space(user=request.user, capteur_id=capteur_id)
        body = welcome_pdf(
            capteur_name=capteur.name,
            territory_name=capteur.territory.name,
            space_url=capteur.space_url,
            phone=display_phone(capteur.territory.contact_phone),
        )
        return _secret_response(
            body,
            media_type="application/pdf",
            filename=f"bienvenue-{slugify(capteur.name)}.pdf",
            attachment=True,
        )
