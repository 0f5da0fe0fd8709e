from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backend.structures.enums import Need
from backend.structures.models import Structure, StructureContact
from backend.structures.services import canonical_needs, structure_deactivate


class StructureContactInline(admin.TabularInline):
    model = StructureContact
    extra = 0
    fields = ["name", "role", "phone", "email"]


class StructureAdminForm(forms.ModelForm):
    # Check boxes instead of the raw JSON list the model field would show.
    needs = forms.MultipleChoiceField(
        label=_("besoins couverts"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    website = forms.URLField(label=_("site web"), required=False, assume_scheme="https")

    class Meta:
        model = Structure
        fields = [
            "territory",
            "name",
            "kind",
            "description",
            "needs",
            "is_active",
            "address",
            "postal_code",
            "city",
            "latitude",
            "longitude",
            "phone",
            "email",
            "website",
            "opening_hours",
        ]

    def clean_needs(self):
        return canonical_needs(self.cleaned_data["needs"])


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    form = StructureAdminForm
    list_display = ["name", "kind", "city", "territory", "is_active"]
    list_filter = ["territory", "kind", "is_active"]
    search_fields = ["name", "city", "external_id"]
    readonly_fields = ["external_source", "external_id", "created_at", "updated_at"]
    inlines = [StructureContactInline]
    actions = ["deactivate"]
    fieldsets = [
        (None, {"fields": ["territory", "name", "kind", "description", "needs", "is_active"]}),
        (
            _("Coordonnées"),
            {
                "fields": [
                    "address",
                    "postal_code",
                    "city",
                    "latitude",
                    "longitude",
                    "phone",
                    "email",
                    "website",
                    "opening_hours",
                ]
            },
        ),
        (
            _("Import"),
            {"fields": ["external_source", "external_id", "created_at", "updated_at"]},
        ),
    ]

    @admin.action(description=_("Désactiver les structures sélectionnées"))
    def deactivate(self, request, queryset):
        for structure in queryset:
            structure_deactivate(structure=structure, actor=request.user)
