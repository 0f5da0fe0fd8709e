"""Public pages for people without an account: the code landing page and the error pages.

They speak to someone who may read little and trust less: plain French in the spirit of FALC,
no script at all, CSS inline, so a single round trip shows the whole page on a weak rural network.
"""

from functools import wraps

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from backend.capteurs.selectors import referral_code_by_token
from backend.capteurs.services import referral_code_record_scan
from backend.core.errors import PROBLEM_CONTENT_TYPE


def _token_page(view):
    """Headers of a page reached through a token: the token is the poster's secret.

    Search engines must not index it and other sites must not receive it as a referrer.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


@require_safe
@never_cache  # one scan counted per visit, and the referral form will carry personal data
@_token_page
def landing(request, token):
    """The page a person reaches by scanning a capteur's QR code or typing its short link.

    Counts one scan per GET (HEAD requests, e.g. link checkers, do not count). Unknown tokens
    get the French 404 page rendered here, so it looks the same even with DEBUG on.
    """
    code = referral_code_by_token(token=token)
    if code is None:
        return render(request, "public/404.html", status=404)
    if request.method == "GET" and not _is_prefetch(request):
        # Revoked codes are counted too: a defaced or old poster still being scanned is worth
        # knowing, so the facilitator can go and replace it.
        referral_code_record_scan(code=code)
    context = {"code": code, "capteur": code.capteur, "territory": code.capteur.territory}
    if not code.is_active:
        return render(request, "public/code_revoked.html", context, status=410)
    return render(request, "public/landing.html", context)


def _is_prefetch(request):
    """Browser prefetches and link previews are not people scanning a poster."""
    purpose = request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", "")
    return "prefetch" in purpose or "prerender" in purpose


@_token_page
def page_not_found(request, exception):
    """handler404: any unknown URL, in French, with the same look as the landing page.

    Under /api/ the answer is a problem details document, like every other API error.
    """
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "type": "about:blank",
                "title": str(_("Introuvable")),
                "status": 404,
                "detail": str(_("Cette adresse n'existe pas dans l'API.")),
                "code": "not_found",
            },
            status=404,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    return render(request, "public/404.html", status=404)


def server_error(request):
    """handler500: a static template rendered without request, context processors or database:
    the error may come from the database itself."""
    return HttpResponseServerError(loader.get_template("public/500.html").render())
