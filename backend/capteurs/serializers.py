from django.utils.translation import gettext_lazy as _
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from backend.accounts.enums import Role
from backend.accounts.models import User
from backend.accounts.scoping import territories_for
from backend.capteurs.enums import Activity, Stage
from backend.capteurs.models import Capteur, ReferralCode, StageChange


class CapteurOutputSerializer(serializers.ModelSerializer):
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    referent_name = serializers.SerializerMethodField()
    phone = serializers.CharField(read_only=True)
    activity = serializers.ChoiceField(choices=Activity.choices, allow_null=True, read_only=True)
    scans_30d = serializers.IntegerField(
        read_only=True, help_text=_("Visites de la page du code sur les 30 derniers jours.")
    )
    space_url = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Capteur
        fields = [
            "id",
            "territory",
            "territory_name",
            "name",
            "kind",
            "address",
            "postal_code",
            "city",
            "latitude",
            "longitude",
            "contact_name",
            "phone",
            "email",
            "referent",
            "referent_name",
            "stage",
            "activity",
            "first_contact_on",
            "signed_on",
            "last_referral_at",
            "last_visit_on",
            "scans_30d",
            "summary_channel",
            "space_url",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_referent_name(self, capteur) -> str | None:
        return str(capteur.referent) if capteur.referent_id else None


class CapteurInputSerializer(serializers.ModelSerializer):
    """Shape of a capteur create/update. The territory is chosen at creation only."""

    phone = PhoneNumberField(required=False, allow_blank=True)
    territory = serializers.PrimaryKeyRelatedField(queryset=territories_for(None))
    referent = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )

    class Meta:
        model = Capteur
        fields = [
            "territory",
            "name",
            "kind",
            "address",
            "postal_code",
            "city",
            "latitude",
            "longitude",
            "contact_name",
            "phone",
            "email",
            "referent",
            "first_contact_on",
            "summary_channel",
            "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        self.fields["territory"].queryset = territories_for(user)
        # Only facilitators the user works with: any other id gets the same "does not exist"
        # answer, so the field tells nothing about other territories' users. The exact
        # territory rule is the service's.
        self.fields["referent"].queryset = User.objects.filter(
            is_active=True,
            memberships__role=Role.FACILITATOR,
            memberships__territory__in=territories_for(user),
        ).distinct()
        if self.instance is not None:
            self.fields.pop("territory")


class StageMoveInputSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class StageChangeOutputSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = StageChange
        fields = ["id", "from_stage", "to_stage", "actor", "actor_name", "note", "at"]
        read_only_fields = fields

    def get_actor_name(self, change) -> str | None:
        return str(change.actor) if change.actor_id else None


class ReferralCodeOutputSerializer(serializers.ModelSerializer):
    capteur_name = serializers.CharField(source="capteur.name", read_only=True)
    url = serializers.CharField(source="public_url", read_only=True)
    short_url = serializers.CharField(
        read_only=True, help_text=_("Le lien court imprimé, à taper : <site>/<code court>.")
    )
    is_active = serializers.BooleanField(read_only=True)
    qr_svg = serializers.SerializerMethodField()
    qr_png = serializers.SerializerMethodField()
    poster_pdf = serializers.SerializerMethodField()
    stickers_pdf = serializers.SerializerMethodField()

    class Meta:
        model = ReferralCode
        fields = [
            "id",
            "capteur",
            "capteur_name",
            "short_code",
            "label",
            "url",
            "short_url",
            "is_active",
            "revoked_at",
            "scan_count",
            "last_scan_at",
            "created_at",
            "qr_svg",
            "qr_png",
            "poster_pdf",
            "stickers_pdf",
        ]
        read_only_fields = fields

    def _link(self, code, suffix) -> str:
        return f"/api/v1/codes/{code.id}/{suffix}"

    def get_qr_svg(self, code) -> str:
        return self._link(code, "qr.svg")

    def get_qr_png(self, code) -> str:
        return self._link(code, "qr.png")

    def get_poster_pdf(self, code) -> str:
        return self._link(code, "poster.pdf")

    def get_stickers_pdf(self, code) -> str:
        return self._link(code, "stickers.pdf")


class ReferralCodeIssueInputSerializer(serializers.Serializer):
    # The serializer's metaclass moves declared fields out of the class, so this field does not
    # shadow Field.label at run time; the stubs only see the class attribute.
    label = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, max_length=120
    )


class ReferralCodeRevokeInputSerializer(serializers.Serializer):
    reissue = serializers.BooleanField(
        required=False, default=False, help_text=_("Émettre aussitôt un nouveau code.")
    )


class ReferralCodeRevokeOutputSerializer(serializers.Serializer):
    revoked = ReferralCodeOutputSerializer()
    reissued = ReferralCodeOutputSerializer(allow_null=True)
