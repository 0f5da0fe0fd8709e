"""The public referral form: the person (or a capteur on their behalf) leaves a way to be called.

Used by the server-rendered pages (/r/<token>, /c/<secret>) to show the form and its errors;
the rules themselves are the intake service's (backend.referrals.services.intake), which the
intake API's serializer shows the same way.
"""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from backend.referrals.enums import CallMoment, Channel, FilledBy
from backend.referrals.models import EMAIL_MAX_LENGTH, FIRST_NAME_MAX_LENGTH, NOTE_MAX_LENGTH
from backend.referrals.services.intake import (
    CONSENT_MESSAGE,
    PHONE_OR_EMAIL_MESSAGE,
    TOO_MANY_CHOICES_MESSAGE,
    Submission,
    distinct,
    phone_refusal,
)
from backend.structures.enums import Need


class ReferralForm(forms.Form):
    first_name = forms.CharField(
        label=_("Votre prénom (ou un surnom)"),
        max_length=FIRST_NAME_MAX_LENGTH,
        error_messages={"required": _("Écrivez votre prénom ou un surnom.")},
    )
    phone = PhoneNumberField(
        label=_("Votre numéro de téléphone"),
        required=False,
        help_text=_(
            "Un numéro qui n'est pas français ? Écrivez + et le code du pays, "
            "par exemple +32 pour la Belgique."
        ),
    )
    email = forms.EmailField(
        label=_("Ou votre e-mail"), max_length=EMAIL_MAX_LENGTH, required=False
    )
    call_moments = forms.MultipleChoiceField(
        label=_("Quand pouvons-nous vous appeler ? (facultatif)"),
        choices=CallMoment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    needs = forms.MultipleChoiceField(
        label=_("Pour quoi ? (facultatif)"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Un message (facultatif)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("N'écrivez pas de détails sur votre santé."),
    )
    consent = forms.BooleanField(
        label=_("J'accepte que le service garde ces informations pour me rappeler."),
        error_messages={"required": CONSENT_MESSAGE},
    )
    # Honeypot: hidden from people by CSS and from screen readers; bots fill every field.
    website = forms.CharField(label=_("Ne pas remplir"), max_length=200, required=False)

    def __init__(self, *args, on_behalf=False, service="", **kwargs):
        """`service`: the name the person sees in the page's header (the territory's), named
        in the consent line; without it, "le service"."""
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        if service:
            self.fields["consent"].label = format_lazy(
                _("J'accepte que {service} garde ces informations pour me rappeler."),
                service=service,
            )
        if on_behalf:
            self.fields["first_name"].label = _("Prénom (ou surnom) de la personne")
            self.fields["phone"].label = _("Son numéro de téléphone")
            self.fields["email"].label = _("Ou son e-mail")
            self.fields["call_moments"].label = _("Quand pouvons-nous l'appeler ? (facultatif)")
            self.fields["note"].help_text = _("N'écrivez pas de détails sur sa santé.")
            self.fields["consent"].label = format_lazy(
                _(
                    "La personne est présente et accepte que {service} garde ces "
                    "informations pour la rappeler."
                ),
                service=service or _("le service"),
            )

    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        refusal = phone_refusal(str(phone)) if phone else None
        if refusal:
            raise forms.ValidationError(refusal)
        return phone

    def _distinct_choices(self, name):
        """A checkbox list with each value once (a forged POST may repeat one), no longer
        than its choices."""
        values = self.cleaned_data.get(name, [])
        limit = len(self.fields[name].choices)
        if len(values) > limit:
            raise forms.ValidationError(TOO_MANY_CHOICES_MESSAGE % {"max": limit})
        return distinct(values)

    def clean_needs(self):
        return self._distinct_choices("needs")

    def clean_call_moments(self):
        return self._distinct_choices("call_moments")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not self.has_error("phone"):
            self.add_error("phone", PHONE_OR_EMAIL_MESSAGE)
        return cleaned

    def is_bot(self):
        return bool(self.data.get("website"))

    def submission(self, *, channel: str) -> Submission:
        data = self.cleaned_data
        return Submission(
            first_name=data["first_name"].strip(),
            phone=str(data["phone"]) if data.get("phone") else "",
            email=data.get("email", ""),
            call_moments=list(data.get("call_moments", [])),
            needs=list(data.get("needs", [])),
            note=data.get("note", "").strip(),
            filled_by=FilledBy.CAPTEUR if self.on_behalf else FilledBy.PERSON,
            channel=channel if channel in Channel.values else Channel.LINK,
            consent=data["consent"],
        )
