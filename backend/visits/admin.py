"""Visits in the admin: read-only. Visits move through the API (backend.visits.services), so
that every move is an event; the admin shows them and their history to ops."""

from django.contrib import admin

from backend.visits.models import CalendarFeed, Visit, VisitEvent


class VisitEventInline(admin.TabularInline):
    model = VisitEvent
    extra = 0
    fields = ("at", "kind", "actor", "payload")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = [
        "planned_on",
        "capteur",
        "kind",
        "status",
        "facilitator",
        "done_on",
        "auto_planned",
        "territory",
    ]
    list_filter = ["territory", "status", "kind", "auto_planned"]
    date_hierarchy = "planned_on"
    search_fields = ["capteur__name", "capteur__city", "facilitator__email"]
    list_select_related = ["capteur", "facilitator", "territory"]
    fields = (
        "territory",
        "capteur",
        "facilitator",
        "kind",
        "status",
        "planned_on",
        "done_on",
        "outcome",
        "next_step",
        "auto_planned",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [VisitEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a visit is cancelled (an event), not deleted


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Who has a calendar feed open (never its secret: it is the key). Deleting one closes it."""

    list_display = ["user", "created_at"]
    search_fields = ["user__email"]
    fields = ("user", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
