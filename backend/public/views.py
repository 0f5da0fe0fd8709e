"""Public pages for people without an account: the code landing page with its referral form,
the privacy notice and the error pages (the capteur space is in space_views).

They speak to someone who may read little and trust less: plain French in the spirit of FALC,
no script at all, CSS inline, so a single round trip shows the whole page on a weak rural network.
"""

from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from backend.accounts.models import Territory
from backend.capteurs.enums import ScanSource
from backend.capteurs.selectors import referral_code_by_token, referral_code_by_typed_short_code
from backend.capteurs.services import referral_code_record_scan
from backend.core.errors import problem_json_response
from backend.public import selectors
from backend.public.http import in_page_language, not_found, token_page
from backend.public.referral_pages import (
    EXPIRED,
    confirmation,
    privacy_url,
    referral_form,
    sign_confirmation,
    submit_referral,
    unsign_confirmation,
)
from backend.referrals.enums import Channel
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION


@sensitive_post_parameters()  # what the person typed stays out of error reports
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache  # one scan counted per visit, and the form carries personal data
@token_page
@in_page_language
def landing(request, token):
    """The page a person reaches by scanning a capteur's QR code or typing its short link:
    GET shows the referral form, POST submits it (see referral_pages.submit_referral).

    Counts one scan per GET (HEAD requests, e.g. link checkers, and POSTs do not count).
    Unknown tokens get the French 404 page rendered here, so it looks the same even with DEBUG
    on. The QR code's link carries `?via=qr`; the form keeps it in a hidden field, so the
    referral records channel "qr" (else "link").
    """
    code = referral_code_by_token(token=token)
    if code is None:
        return not_found(request)
    territory = code.capteur.territory
    context = {
        "code": code,
        "capteur": code.capteur,
        "territory": territory,
        "action": code.public_path,
        "privacy_url": privacy_url(territory),
    }
    if request.method == "POST":
        via = Channel.QR if request.POST.get("via") == Channel.QR else ""
        return submit_referral(
            request,
            code=code,
            on_behalf=False,
            channel=via or Channel.LINK,
            page="public/landing.html",
            page_context=lambda: {**context, "via": via},
            confirm_url=lambda referral: reverse(
                "landing-confirmation", args=[code.token, sign_confirmation(referral)]
            ),
        )
    via = Channel.QR if request.GET.get("via") == Channel.QR else ""
    if request.method == "GET" and not _is_prefetch(request):
        # Revoked codes are counted too: a defaced or old poster still being scanned is worth
        # knowing, so the facilitator can go and replace it.
        referral_code_record_scan(code=code, source=_scan_source(request.GET.get("via")))
    if not code.is_active:
        return render(request, "public/code_revoked.html", context, status=410)
    return render(
        request,
        "public/landing.html",
        {**context, "via": via, "form": referral_form(territory=territory)},
    )


def _scan_source(via):
    """The scan source of a landing page's `?via=`: the QR code, the typed short link (see
    short_link), else the long link."""
    if via == Channel.QR:
        return ScanSource.QR
    if via == ScanSource.SHORT_LINK:
        return ScanSource.SHORT_LINK
    return ScanSource.LINK


@require_safe
@never_cache
@token_page
@in_page_language
def short_link(request, short_code):
    """/<SHORTCODE>: the link printed on posters for a person to type ("relais.fr/K7Q2").

    Case-insensitive (the URL converter takes the code's alphabet in both cases; the letters
    a person may confuse, 0 O 1 I L, are in no code and get the French 404). Redirects (302)
    to the code's landing page marked `?via=short`, where the visit counts as a scan of source
    "short"; a revoked code's landing page says so (410), as from its QR code.
    """
    code = referral_code_by_typed_short_code(short_code=short_code)
    if code is None:
        return not_found(request)
    return HttpResponseRedirect(f"{code.public_path}?via={ScanSource.SHORT_LINK}")


def _is_prefetch(request):
    """Browser prefetches and link previews are not people scanning a poster."""
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return "prefetch" in purpose or "prerender" in purpose


@require_safe
@never_cache
@token_page
@in_page_language
def landing_confirmation(request, token, signed):
    """After a referral from the landing page: who will call, and by when."""
    referral_id = unsign_confirmation(signed)
    if referral_id is None:
        return not_found(request)
    if referral_id is EXPIRED:
        code = referral_code_by_token(token=token)
        if code is None:
            return not_found(request)
        return confirmation(request, territory=code.capteur.territory)
    referral = selectors.confirmed_referral(referral_id=referral_id, code_token=token)
    if referral is None:
        return not_found(request)
    return confirmation(request, territory=referral.territory, referral=referral)


@require_safe
@in_page_language
def privacy(request):
    """The privacy notice, in plain French. `?t=<territory slug>` (the form's link) names the
    territory's network and its contacts; without it the notice is generic."""
    territory = selectors.territory_for_notice(slug=request.GET.get("t", ""))
    retention_months = (
        territory.retention_months
        if territory is not None
        else Territory._meta.get_field("retention_months").default
    )
    context = {
        "territory": territory,
        "retention_months": retention_months,
        "version": PRIVACY_NOTICE_VERSION,
    }
    return render(request, "public/privacy.html", context)


# --- error pages ---------------------------------------------------------------------------


@token_page
def page_not_found(request, exception):
    """handler404: any unknown URL, in French, with the same look as the landing page.

    Under /api/ the answer is a problem details document, like every other API error.
    """
    if request.path.startswith("/api/"):
        return problem_json_response(
            status_code=404, detail=_("Cette adresse n'existe pas dans l'API."), code="not_found"
        )
    return not_found(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW. A public form refused by the CSRF check (cookies blocked, a page
    kept open for days): in French, with a way forward. Under /api/, a problem details
    document; elsewhere (the admin), Django's page. The reason is for developers, not shown."""
    if request.path.startswith("/api/"):
        return problem_json_response(
            status_code=403,
            detail=_("Jeton CSRF absent ou invalide : rechargez la page."),
            code="csrf_failed",
        )
    if request.path.startswith(("/r/", "/c/")):
        return _public_csrf_failure(request)
    return django_csrf_failure(request, reason=reason)


@in_page_language
def _public_csrf_failure(request):
    return render(request, "public/csrf_failure.html", status=403)


def server_error(request):
    """handler500: a static template rendered without request, context processors or database:
    the error may come from the database itself. Under /api/, a problem details document."""
    if request.path.startswith("/api/"):
        return problem_json_response(
            status_code=500,
            detail=_("Une erreur est survenue de notre côté. Réessayez plus tard."),
            code="server_error",
        )
    return HttpResponseServerError(loader.get_template("public/500.html").render())
