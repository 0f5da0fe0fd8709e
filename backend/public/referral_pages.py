"""The referral form as the public pages show and submit it, shared by the landing page
(/r/<token>, the person) and the capteur space (/c/<secret>, a capteur with the person).

Forms are validated on the server and shown again with the person's input and one French
message per field; a success redirects (303) to a confirmation page whose URL carries a signed,
timed referral id and nothing personal. What the person typed goes into `referral_submit` and
nowhere else: not in logs, not in URLs, not in error reports (`sensitive_variables` here,
`sensitive_post_parameters` on the views).
"""

import math

from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from backend.core.calendar import add_working_days
from backend.notifications.policy import sms_number_refusal
from backend.public.http import see_other
from backend.referrals.forms import ReferralForm
from backend.referrals.services.intake import CodeInactive, CodeRateLimited, referral_submit
from backend.referrals.throttles import check_client_rate

# The confirmation URL carries the referral id, signed and timed: it cannot be forged or
# enumerated, and it is worth nothing an hour later (a reload after that shows a generic
# "it is sent" page, without who calls and by when).
CONFIRMATION_SALT = "backend.public.referral-confirmation"
CONFIRMATION_MAX_AGE = 60 * 60
EXPIRED = object()  # an authentic confirmation link, older than CONFIRMATION_MAX_AGE

# Browsers show a 422 page like any other; the status tells monitoring (and tests) that the
# form came back with errors, where a 200 would look like a plain visit.
FORM_ERRORS_STATUS = 422

_HELP_TEXTS = {
    False: {
        "email": _("Seulement si vous n’avez pas de téléphone."),
        "call_moments": _("Vous pouvez en cocher plusieurs."),
        "needs": _("Vous pouvez en cocher plusieurs."),
        "consent": _("Seule l’équipe qui vous rappelle verra ces informations."),
    },
    True: {
        "email": _("Seulement si elle n’a pas de téléphone."),
        "call_moments": _("Vous pouvez en cocher plusieurs."),
        "needs": _("Vous pouvez en cocher plusieurs."),
        "consent": _(
            "Seule l’équipe qui la rappelle verra ces informations. Vous ne les reverrez pas."
        ),
    },
}


# The optional fields, folded behind one disclosure (<details>) so that the required path
# (first name, phone, consent, send) fits on the first screen and a half of a phone.
OPTIONAL_FIELDS = ("email", "call_moments", "needs", "note")


def referral_form(data=None, *, territory, on_behalf=False) -> ReferralForm:
    """The referral form with the attributes a phone and a screen reader need; its consent
    line names `territory`'s network, as the page's header does."""
    form = ReferralForm(data, on_behalf=on_behalf, service=territory.name)
    fields = form.fields
    # On the capteur's phone, autofill would offer the capteur's own name and number.
    for name, token in (("first_name", "given-name"), ("phone", "tel"), ("email", "email")):
        fields[name].widget.attrs["autocomplete"] = "off" if on_behalf else token
    fields["phone"].widget.attrs["inputmode"] = "tel"
    fields["note"].widget.attrs.update(rows=3)
    # The honeypot: out of sight and out of the tab order; autofill must leave it empty.
    fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
    for name, text in _HELP_TEXTS[on_behalf].items():
        fields[name].help_text = text
    fields["note"].help_text = format_lazy(
        "{} {}", fields["note"].help_text, _("500 caractères au plus.")
    )
    return form


def optional_open(form) -> bool:
    """Whether the optional fields' disclosure is shown open: when one of them was filled in
    or has an error (a page shown again must show what the person typed and what to fix)."""
    if not form.is_bound:
        return False
    return any(form.data.get(name) or form.errors.get(name) for name in OPTIONAL_FIELDS)


def error_heading(form):
    """The heading of the error summary: what is wrong, not just that something is."""
    fields = [name for name in form.errors if name != "website"]
    phone_given = bool(form.data.get("phone", "").strip()) if form.is_bound else False
    if fields == ["phone"]:
        if phone_given:
            return _("Ce numéro de téléphone ne va pas.")
        return _("Il manque un numéro de téléphone (ou un e-mail).")
    if fields == ["email"]:
        return _("Cette adresse e-mail ne va pas.")
    if fields == ["first_name"]:
        return _("Il manque votre prénom.")
    if fields == ["consent"]:
        return _("Il manque votre accord : cochez la case.")
    return _("Il y a des choses à corriger.")


def privacy_url(territory):
    """The privacy notice, naming `territory`'s network and contacts."""
    return f"{reverse('privacy')}?t={territory.slug}"


def sign_confirmation(referral) -> str:
    return signing.TimestampSigner(salt=CONFIRMATION_SALT).sign(str(referral.pk))


def unsign_confirmation(value):
    """The referral id of a confirmation URL; EXPIRED when authentic but too old; None when
    forged or garbled."""
    signer = signing.TimestampSigner(salt=CONFIRMATION_SALT)
    try:
        return int(signer.unsign(value, max_age=CONFIRMATION_MAX_AGE))
    except signing.SignatureExpired:
        return EXPIRED
    except (signing.BadSignature, ValueError):
        return None


def confirmation(request, *, territory, referral=None, on_behalf=False, capteur=None):
    """The "it is sent" page: who will call and by when, without anything about the person.

    Without `referral` (an expired link), the page names no one and gives no date. With
    `capteur`, it links back to the capteur space.
    """
    context = {
        "territory": territory,
        "caller": referral.assigned_to.first_name if referral and referral.assigned_to else "",
        "due_on": referral.first_contact_due_on if referral else None,
        "on_behalf": on_behalf,
        "capteur": capteur,
        "no_sms": bool(referral and referral.phone and not sms_capable(referral.phone)),
    }
    return render(request, "public/confirmation.html", context)


def sms_capable(phone) -> bool:
    """Whether `phone` can take an SMS at all (a landline cannot: the person is called, and
    must not wait for an acknowledgment that will never come)."""
    return sms_number_refusal(str(phone)) is None


def _too_many(request, territory, wait):
    """The "try again later" page: HTTP 429 with Retry-After, in French, with the call link."""
    response = render(
        request,
        "public/too_many.html",
        {"territory": territory, "minutes": math.ceil(wait / 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def _decoy_confirmation(request, *, territory, on_behalf, capteur):
    """What a bot caught by the honeypot sees: a confirmation like a person's, with the date
    a real referral would get."""
    context = {
        "territory": territory,
        "caller": "",
        "due_on": add_working_days(timezone.localdate(), territory.first_contact_working_days),
        "on_behalf": on_behalf,
        "capteur": capteur,
    }
    return render(request, "public/confirmation.html", context)


@sensitive_variables()  # the form holds what the person typed
def _form_again(request, page, page_context, form):
    """`page` shown again (422) with the person's input and what to fix."""
    context = {
        **page_context(),
        "form": form,
        "optional_open": optional_open(form),
        "error_heading": error_heading(form),
    }
    return render(request, page, context, status=FORM_ERRORS_STATUS)


@sensitive_variables()  # the form and the submission hold what the person typed
def submit_referral(request, *, code, on_behalf, channel, page, page_context, confirm_url):
    """The POST of a referral form through `code` (with `capteur__territory` loaded).

    Order: the client's rate limit (429 with Retry-After), honeypot (a normal-looking
    confirmation, nothing saved), validation (`page` again, 422, with the input and the
    messages), then the intake service: a revoked code is 410, the code's rate limit 429.
    `page_context()` builds the page's context, only when the
    page is shown again (a success spends its query budget on the referral alone);
    `confirm_url(referral)` is where a success redirects to (303).
    """
    territory = code.capteur.territory
    wait = check_client_rate(request)
    if wait is not None:
        return _too_many(request, territory, wait)
    form = referral_form(request.POST, territory=territory, on_behalf=on_behalf)
    if form.is_bot():
        # The bot sees what a person would see; nothing is saved, nobody is called.
        return _decoy_confirmation(
            request,
            territory=territory,
            on_behalf=on_behalf,
            capteur=code.capteur if on_behalf else None,
        )
    if not form.is_valid():
        return _form_again(request, page, page_context, form)
    try:
        result = referral_submit(code=code, submission=form.submission(channel=channel))
    except ValidationError as exc:
        # The intake's own rules, for whatever the form did not check itself.
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return _form_again(request, page, page_context, form)
    except CodeInactive:
        # The code was revoked (while the form was open, or the poster is old).
        return render(request, "public/code_revoked.html", page_context(), status=410)
    except CodeRateLimited as exc:
        return _too_many(request, territory, exc.wait)
    return see_other(confirm_url(result.referral))
