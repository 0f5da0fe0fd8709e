"""People's privacy requests in the admin: the audit trail, read-only (no phone or e-mail)."""

from django.contrib import admin

from backend.privacy.models import PrivacyRequest


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "territory", "requested_by", "search", "completed_at"]
    list_filter = ["kind", "territory"]
    list_select_related = ["territory", "requested_by"]
    fields = (
        "kind",
        "territory",
        "requested_by",
        "search",
        "referral_ids",
        "phone_digest",
        "email_digest",
        "created_at",
        "completed_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # an audit trail
