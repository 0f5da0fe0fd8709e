from django.utils.translation import gettext_lazy as _
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from backend.accounts.scoping import territories_for
from backend.structures.enums import ImportFormat, Need
from backend.structures.importers import MAX_FILE_BYTES
from backend.structures.models import Structure, StructureContact
from backend.structures.services import canonical_needs


class StructureContactOutputSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(read_only=True)

    class Meta:
        model = StructureContact
        fields = ["id", "name", "role", "phone", "email"]
        read_only_fields = fields


class StructureOutputSerializer(serializers.ModelSerializer):
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices))
    phone = serializers.CharField(read_only=True)
    contacts = StructureContactOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Structure
        fields = [
            "id",
            "territory",
            "territory_name",
            "name",
            "kind",
            "description",
            "needs",
            "address",
            "postal_code",
            "city",
            "latitude",
            "longitude",
            "phone",
            "email",
            "website",
            "opening_hours",
            "contacts",
            "is_active",
            "external_source",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StructureContactInputSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        required=False, help_text=_("Pour modifier un contact existant ; absent pour en ajouter.")
    )
    phone = PhoneNumberField(required=False, allow_blank=True)

    class Meta:
        model = StructureContact
        fields = ["id", "name", "role", "phone", "email"]


class StructureInputSerializer(serializers.ModelSerializer):
    """Shape of a structure create/update. The territory is chosen at creation only;
    `contacts`, when given, is the full list of the structure's contacts."""

    territory = serializers.PrimaryKeyRelatedField(queryset=territories_for(None))
    needs = serializers.MultipleChoiceField(choices=Need.choices, required=False)
    phone = PhoneNumberField(required=False, allow_blank=True)
    contacts = StructureContactInputSerializer(many=True, required=False)

    class Meta:
        model = Structure
        fields = [
            "territory",
            "name",
            "kind",
            "description",
            "needs",
            "address",
            "postal_code",
            "city",
            "latitude",
            "longitude",
            "phone",
            "email",
            "website",
            "opening_hours",
            "is_active",
            "contacts",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["territory"].queryset = territories_for(getattr(request, "user", None))
        if self.instance is not None:
            self.fields.pop("territory")
        else:
            self.fields.pop("is_active")  # a new structure is active

    def validate_needs(self, value):
        return canonical_needs(value)


class StructureImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "CSV (UTF-8, séparateur « ; » ou « , ») ou JSON de services data·inclusion, "
            "5 Mo au plus."
        )
    )
    format = serializers.ChoiceField(choices=ImportFormat.choices)
    territory = serializers.PrimaryKeyRelatedField(queryset=territories_for(None))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["territory"].queryset = territories_for(getattr(request, "user", None))

    def validate_file(self, file):
        if file.size > MAX_FILE_BYTES:
            raise serializers.ValidationError(_("Le fichier dépasse la taille maximale (5 Mo)."))
        return file


class ImportRejectionSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text=_("Ligne du tableur (en-tête = 1) ou rang du service dans le JSON (dès 1).")
    )
    reasons = serializers.ListField(child=serializers.CharField())


class ImportReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    rejected = ImportRejectionSerializer(many=True)
