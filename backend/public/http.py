"""What every public page shares at the HTTP level: headers of token pages, the page language,
the French 404 and the 303 after a POST."""

from functools import wraps

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import pgettext

PUBLIC_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def token_page(view):
    """Headers of a page reached through a token or secret: the URL is the key.

    Search engines must not index it and other sites must not receive it as a referrer.
    `same-origin` rather than `no-referrer`: under `no-referrer` browsers send `Origin: null`
    with a form POST, which Django's CSRF check rightly refuses. Same-origin requests keep
    their referrer (our own server already knows the URL); cross-origin ones get none.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        response["Referrer-Policy"] = "same-origin"
        # No script, no third party: the page cannot load or send anything elsewhere.
        response["Content-Security-Policy"] = PUBLIC_CSP
        return response

    return wrapper


def in_page_language(view):
    """Renders in the language the public pages are written in, whatever the browser asks.

    The pages say `lang="fr"` until a catalogue translates them (see public/base.html): the
    form's error messages and the dates ("mardi 25 novembre") must then be French too, not
    Django's English for a browser asking for English.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        language = pgettext("lang attribute of the public pages", "fr")
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response["Content-Language"] = language
        return response

    return wrapper


def not_found(request):
    """The French 404 page, rendered by the view itself so it looks the same with DEBUG on."""
    return render(request, "public/404.html", status=404)


def see_other(url):
    """A 303: after a POST, the browser GETs the confirmation, so a reload never resubmits."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
