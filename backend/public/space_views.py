"""The capteur space /c/<secret>: the capteur's own page, reached by a revocable secret link
(no password). Its counts, its posters and stickers, and "refer someone now".

Counts only: a capteur never sees a referred person's data, not even right after submitting.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_safe

from backend.capteurs import print_apis
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


@sensitive_post_parameters()  # what the person said stays out of error reports
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache  # the secret is in the URL, the form carries personal data
@token_page
@in_page_language
def capteur_space(request, secret):
    """GET: the capteur's counts, prints and the on-behalf form. POST: a referral filled in by
    the capteur with the person present, through the capteur's most recent active code, with
    channel "capteur_space" (see referral_pages.submit_referral).

    An unknown or revoked secret is the French 404. Without an active code, no form: the page
    says to ask the facilitator for a code.
    """
    if request.method == "POST":
        # One query for the code, its capteur and territory: the submission's budget.
        code = selectors.capteur_space_referral_code(secret=secret)
        if code is not None:
            return submit_referral(
                request,
                code=code,
                on_behalf=True,
                channel=Channel.CAPTEUR_SPACE,
                page="public/capteur_space.html",
                page_context=lambda: _context(code.capteur, code=code),
                confirm_url=lambda referral: reverse(
                    "capteur-space-confirmation", args=[secret, sign_confirmation(referral)]
                ),
            )
        # No active code (revoked while the form was open) or no such space: shown as a GET.
    capteur = selectors.capteur_by_space_secret(secret=secret)
    if capteur is None:
        return not_found(request)
    codes = list(selectors.capteur_space_codes(capteur=capteur))
    context = _context(capteur, code=codes[0] if codes else None, codes=codes)
    return render(request, "public/capteur_space.html", context)


def _context(capteur, *, code, codes=None):
    """What the capteur space shows; `codes` (the active ones) loaded here when not given."""
    if codes is None:
        codes = list(selectors.capteur_space_codes(capteur=capteur))
    return {
        "capteur": capteur,
        "territory": capteur.territory,
        "counts": selectors.capteur_space_counts(capteur=capteur),
        "codes": codes,
        "code": code,
        "action": reverse("capteur-space", args=[capteur.space_secret]),
        "privacy_url": privacy_url(capteur.territory),
        "form": referral_form(territory=capteur.territory, on_behalf=True),
    }


@require_safe
@never_cache
@token_page
@in_page_language
def capteur_space_confirmation(request, secret, signed):
    """After a referral from the capteur space: who will call the person, and by when."""
    capteur = selectors.capteur_by_space_secret(secret=secret)
    referral_id = unsign_confirmation(signed)
    if capteur is None or referral_id is None:
        return not_found(request)
    referral = None
    if referral_id is not EXPIRED:
        referral = selectors.confirmed_referral(referral_id=referral_id, capteur=capteur)
        if referral is None:
            return not_found(request)
    return confirmation(
        request, territory=capteur.territory, referral=referral, on_behalf=True, capteur=capteur
    )


def _space_print(printer, name):
    """A download of the capteur space: `printer`'s print of one of the capteur's active codes,
    downloaded as a file named `<name>-<capteur>-<short code>.pdf` (the page stays open).
    A code of another capteur, a revoked one or an unknown secret is the French 404."""

    @require_safe
    @token_page
    @in_page_language  # the printed sentences are in the language of the page
    def view(request, secret, code_id):
        code = selectors.capteur_space_printable_code(secret=secret, code_id=code_id)
        if code is None:
            return not_found(request)
        filename = f"{name}-{slugify(code.capteur.name)}-{code.short_code}.pdf"
        return print_apis.code_print_response(
            request, code, printer=printer, filename=filename, attachment=True
        )

    return view


capteur_space_poster = _space_print(print_apis.CodePosterApi(), "affiche")
capteur_space_stickers = _space_print(print_apis.CodeStickersApi(), "autocollants")
