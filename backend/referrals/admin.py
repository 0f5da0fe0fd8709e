"""Referrals in the admin: pseudonymised. The person's personal data is read and changed in the
facilitators' app, where every read is in the audit log; the admin shows what ops need."""

from django.contrib import admin

from backend.referrals.models import AccessLog, Referral, ReferralEvent


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
    list_filter = ["territory", "status", "channel"]
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
    )
    readonly_fields = fields
    inlines = [ReferralEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # erasure goes through the privacy workflow, not a delete button


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
