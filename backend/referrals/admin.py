"""Referrals in the admin: pseudonymised. The person's personal data is read and changed in the
facilitators' app, where every read is in the audit log; the admin shows what ops need.

No delete button: a referral is anonymised, never deleted (the counts funders get stay true).
The "Anonymiser" action calls the same routine as the retention job and a person's erasure
request (backend.referrals.services.privacy). A person's request (find, export, erase all they
left, by phone or e-mail) goes through the privacy API, /api/v1/privacy/requests/.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backend.referrals.enums import AnonymisationReason
from backend.referrals.models import AccessLog, Referral, ReferralEvent
from backend.referrals.services.privacy import referrals_anonymise

# Where the admin points to for a person's request (the privacy API, documented in /api/docs/).
PRIVACY_API_PATH = "/api/v1/privacy/requests/"


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    # Not the payload: a staff note in it may speak of the person.
    fields = ("at", "kind", "actor")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = [
        "pseudonym",
        "territory",
        "capteur",
        "channel",
        "status",
        "assigned_to",
        "first_contact_due_on",
        "created_at",
    ]
    list_filter = [
        "territory",
        "status",
        "channel",
        ("anonymised_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["territory", "capteur", "assigned_to"]
    fields = (
        "territory",
        "capteur",
        "code",
        "channel",
        "filled_by",
        "needs",
        "status",
        "closing_reason",
        "assigned_to",
        "first_contact_due_on",
        "consent_at",
        "consent_version",
        "possible_duplicate_of",
        "created_at",
        "anonymised_at",
    )
    readonly_fields = fields
    inlines = [ReferralEventInline]
    actions = ["anonymise"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # anonymised (the action below), never deleted: the counts stay true

    def has_anonymise_permission(self, request):
        # The form is read-only for everyone; anonymising needs the model's change permission.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(
        description=_("Anonymiser (effacer les données de la personne)"),
        permissions=["anonymise"],
    )
    def anonymise(self, request, queryset):
        """Clears the person's data of the selected referrals, after a confirmation page
        (irreversible). Referrals already anonymised are left as they are."""
        if request.POST.get("confirmed") != "yes":
            return TemplateResponse(
                request,
                "admin/referrals/referral/anonymise_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("Anonymiser des orientations"),
                    "opts": self.opts,
                    "referrals": queryset.order_by("pk"),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "privacy_api_path": PRIVACY_API_PATH,
                    "api_docs_url": reverse("api-docs"),
                },
            )
        ids = list(queryset.values_list("pk", flat=True))
        count = referrals_anonymise(
            referral_ids=ids, actor=request.user, reason=AnonymisationReason.ADMIN
        )
        for referral in Referral.objects.filter(pk__in=ids).only("pk", "created_at"):
            self.log_change(request, referral, str(_("Anonymisée")))
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d orientation anonymisée.",
                    "%(count)d orientations anonymisées.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("Ces orientations étaient déjà anonymisées."), messages.WARNING
            )
        return None


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "referral"]
    list_filter = ["action"]
    search_fields = ["user__email"]
    readonly_fields = ["at", "user", "action", "referral"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
