from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from backend.accounts.perms import territory_roles
from backend.accounts.scoping import territories_for
from backend.privacy.models import PrivacyRequest
from backend.referrals.models import EMAIL_MAX_LENGTH

CONTACT_MESSAGE = _("Indiquez le numéro de téléphone ou l'adresse e-mail de la personne.")


class PersonSearchInputSerializer(serializers.Serializer):
    """Who to look for: a phone (any French format, or international with +) and/or an
    e-mail, in one territory (the user's only one when they have one)."""

    territory = serializers.PrimaryKeyRelatedField(
        queryset=territories_for(None),
        required=False,
        help_text=_("Le territoire qui traite la demande (facultatif si vous n'en avez qu'un)."),
    )
    phone = PhoneNumberField(required=False, allow_blank=True)
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = getattr(self.context.get("request"), "user", None)
        self.fields["territory"].queryset = territories_for(self.user)

    def validate(self, attrs):
        if not attrs.get("phone") and not attrs.get("email"):
            raise serializers.ValidationError({"phone": [CONTACT_MESSAGE]})
        if not attrs.get("territory"):
            territories = list(territory_roles(self.user))
            if len(territories) != 1:
                raise serializers.ValidationError(
                    {"territory": [_("Choisissez le territoire qui traite la demande.")]}
                )
            attrs["territory"] = self.fields["territory"].queryset.get(pk=territories[0])
        return attrs


class ReferralSummaryOutputSerializer(serializers.Serializer):
    """A referral a request is about, without the person's data."""

    id = serializers.IntegerField()
    reference = serializers.CharField(source="pseudonym")
    created_at = serializers.DateTimeField()
    status = serializers.CharField()
    channel = serializers.CharField()
    capteur_name = serializers.CharField(source="capteur.name", default=None, allow_null=True)
    anonymised = serializers.SerializerMethodField()

    def get_anonymised(self, referral) -> bool:
        return referral.anonymised_at is not None


class PrivacyRequestOutputSerializer(serializers.ModelSerializer):
    """A step of a person's request (search, export, erasure): who, when, which referrals.
    `referrals` are read by the view (context "referrals"); `other_messages` counts the
    messages to the contact linked to no referral."""

    territory_name = serializers.CharField(source="territory.name", read_only=True)
    requested_by_name = serializers.CharField(source="requested_by", read_only=True)
    referrals = serializers.SerializerMethodField()
    other_messages = serializers.SerializerMethodField()

    class Meta:
        model = PrivacyRequest
        fields = [
            "id",
            "kind",
            "territory",
            "territory_name",
            "requested_by",
            "requested_by_name",
            "search",
            "referrals",
            "other_messages",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ReferralSummaryOutputSerializer(many=True))
    def get_referrals(self, request) -> list[dict[str, Any]]:
        return [
            dict(ReferralSummaryOutputSerializer(referral).data)
            for referral in self.context["referrals"]
        ]

    def get_other_messages(self, request) -> int:
        return len(request.notification_ids)


# --- the export (backend.privacy.documents.person_document, as JSON) -----------------------


class ExportEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    detail = serializers.CharField(help_text=_("Le texte d'une note, l'issue d'un appel…"))


class ExportOrientationSerializer(serializers.Serializer):
    structure = serializers.CharField()
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    created_at = serializers.DateTimeField()


class ExportReferralSerializer(serializers.Serializer):
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    capteur = serializers.CharField(allow_null=True)
    channel = serializers.CharField()
    channel_label = serializers.CharField()
    filled_by = serializers.CharField()
    filled_by_label = serializers.CharField()
    first_name = serializers.CharField()
    phone = serializers.CharField(help_text=_("Au format international (E.164)."))
    email = serializers.CharField()
    call_moments = serializers.ListField(child=serializers.CharField())
    call_moments_labels = serializers.ListField(child=serializers.CharField())
    needs = serializers.ListField(child=serializers.CharField())
    needs_labels = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField()
    consent_at = serializers.DateTimeField()
    consent_version = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    closing_reason = serializers.CharField()
    closing_reason_label = serializers.CharField()
    facilitator_first_name = serializers.CharField(allow_null=True)
    first_contact_due_on = serializers.DateField(allow_null=True)
    first_contacted_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    anonymised_at = serializers.DateTimeField(allow_null=True)
    events = ExportEventSerializer(many=True)
    orientations = ExportOrientationSerializer(many=True)


class ExportMessageSerializer(serializers.Serializer):
    reference = serializers.CharField(
        allow_null=True, help_text=_("L'orientation du message (aucune : réponse à un SMS).")
    )
    template = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField()


class PersonExportSerializer(serializers.Serializer):
    """Everything Relais holds on the person in the territory, for them: their referrals
    (with their data, timeline and orientations) and the messages sent to them (not the
    staff's alerts)."""

    request = serializers.IntegerField(help_text=_("La recherche exportée."))
    territory = serializers.CharField()
    generated_at = serializers.DateTimeField()
    referrals = ExportReferralSerializer(many=True)
    messages = ExportMessageSerializer(many=True)
