from django.contrib import admin

from backend.capteurs.models import Capteur, ReferralCode, StageChange


class ReferralCodeInline(admin.TabularInline):
    model = ReferralCode
    extra = 0
    fields = ("short_code", "label", "created_at", "revoked_at", "scan_count")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # codes are issued through the API (referral_code_issue)


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ("at", "from_stage", "to_stage", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Capteur)
class CapteurAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "territory", "stage", "referent", "last_referral_at"]
    list_filter = ["territory", "kind", "stage"]
    search_fields = ["name", "address", "city", "contact_name"]
    list_select_related = ["territory", "referent"]
    # The stage moves through the pipeline action (capteur_move_stage), never by hand here.
    readonly_fields = ["stage", "signed_on", "last_referral_at", "space_secret_issued_at"]
    exclude = ["space_secret"]
    inlines = [ReferralCodeInline, StageChangeInline]


@admin.register(ReferralCode)
class ReferralCodeAdmin(admin.ModelAdmin):
    list_display = ["short_code", "capteur", "label", "created_at", "revoked_at", "scan_count"]
    list_filter = ["capteur__territory"]
    search_fields = ["short_code", "capteur__name"]
    list_select_related = ["capteur"]
    readonly_fields = ["capteur", "short_code", "created_by", "revoked_at", "revoked_by"]
    exclude = ["token"]
