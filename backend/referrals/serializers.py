from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from phonenumbers import PhoneNumber
from rest_framework import serializers

from backend.notifications.enums import NotificationStatus
from backend.notifications.policy import sms_number_refusal
from backend.referrals import messages
from backend.referrals.enums import (
    AttemptKind,
    AttemptOutcome,
    CallMoment,
    Channel,
    ClosingReason,
    OrientationOutcome,
    Status,
)
from backend.referrals.models import (
    EMAIL_MAX_LENGTH,
    FIRST_NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    CapteurSummary,
    Orientation,
    Referral,
    ReferralEvent,
)
from backend.referrals.perms import can_see_personal_data
from backend.referrals.services.intake import (
    CONSENT_MESSAGE,
    MAX_CALL_MOMENTS,
    MAX_NEEDS,
    PHONE_OR_EMAIL_MESSAGE,
    distinct,
    phone_refusal,
)
from backend.structures.enums import Need

PERSONAL_FIELDS = ("first_name", "phone", "email", "note")
NOTIFICATION_STATUS_HELP = ", ".join(NotificationStatus.values)


def _choices_list(choices, limit: int, help_text) -> serializers.ListField:
    """A list of values from `choices`, `limit` at most (each value counts once: see
    validate_needs)."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices),
        required=False,
        max_length=limit,
        help_text=help_text,
    )


class IntakeInputSerializer(serializers.Serializer):
    """A public submission (PWA, partners). Same rules as backend.referrals.forms.ReferralForm.

    Every field is bounded: free text by its length, `needs` and `call_moments` by their
    vocabulary (a value given twice counts once; a longer list than the vocabulary is refused).
    """

    code = serializers.CharField(max_length=64, help_text=_("Le jeton du lien du capteur."))
    first_name = serializers.CharField(max_length=FIRST_NAME_MAX_LENGTH)
    phone = PhoneNumberField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Un numéro où rappeler la personne (portable ou fixe ; pas de numéro surtaxé ou "
            "spécial). Format français ou international."
        ),
    )
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH, required=False, allow_blank=True)
    call_moments = _choices_list(
        CallMoment.choices,
        MAX_CALL_MOMENTS,
        _("Chaque moment une seule fois (un doublon est ignoré)."),
    )
    needs = _choices_list(
        Need.choices, MAX_NEEDS, _("Chaque besoin une seule fois (un doublon est ignoré).")
    )
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)
    consent = serializers.BooleanField()
    # The capteur space (on behalf, channel capteur_space) is the secret-link page, not this
    # public endpoint: here a person submits for themselves, from a QR code or a link.
    channel = serializers.ChoiceField(choices=[Channel.QR, Channel.LINK], default=Channel.LINK)
    idempotency_key = serializers.CharField(
        max_length=80,
        required=False,
        help_text=_("Une clé unique par envoi (UUID) : renvoyer la même clé ne crée rien de plus."),
    )
    website = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("Piège à robots : laisser vide."),
    )

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Envoyez un objet JSON.")]}, code="invalid"
            )
        return super().to_internal_value(data)

    def validate_consent(self, value):
        if not value:
            raise serializers.ValidationError(CONSENT_MESSAGE)
        return value

    def validate_phone(self, value):
        refusal = phone_refusal(str(value)) if value else None
        if refusal:
            raise serializers.ValidationError(refusal)
        return value

    def validate_needs(self, value):
        return distinct(value)

    def validate_call_moments(self, value):
        return distinct(value)

    def validate_website(self, value):
        if value:
            raise serializers.ValidationError(_("Ce champ doit rester vide."))
        return value

    def validate(self, attrs):
        if not attrs.get("phone") and not attrs.get("email"):
            raise serializers.ValidationError({"phone": [PHONE_OR_EMAIL_MESSAGE]})
        return attrs


# What the person is told after submitting, shaped from the referral: who will call, by when.
class IntakeAcknowledgmentSerializer(serializers.Serializer):
    reference = serializers.CharField()
    message = serializers.CharField()
    facilitator_first_name = serializers.CharField(allow_null=True)
    first_contact_due_on = serializers.DateField()

    def to_representation(self, referral):
        return super().to_representation(
            {
                "reference": referral.pseudonym,
                "message": messages.intake_acknowledgment(referral),
                "facilitator_first_name": (
                    referral.assigned_to.first_name if referral.assigned_to else None
                ),
                "first_contact_due_on": referral.first_contact_due_on,
            }
        )


class AcknowledgmentSmsOutputSerializer(serializers.Serializer):
    """The outcome of the latest acknowledgment SMS to the person (never its recipient)."""

    # A plain string in the schema: an enum named "status" would collide with the referral's
    # (a NotificationStatusEnum entry in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] would fix it).
    status = serializers.CharField(help_text=NOTIFICATION_STATUS_HELP)
    last_error = serializers.CharField(
        help_text=_("Pourquoi le SMS n'est pas parti, s'il a échoué.")
    )
    at = serializers.DateTimeField(help_text=_("Dernier changement de statut."))


# Writes AcknowledgmentSmsOutputSerializer's `at` as that serializer does (ISO 8601, local).
_AT = serializers.DateTimeField()


class ReferralOutputSerializer(serializers.ModelSerializer):
    """A referral for staff. Personal fields are null for whoever may not see them
    (coordinators): `personal_data_visible` says which case applies."""

    reference = serializers.CharField(source="pseudonym", read_only=True)
    phone = serializers.CharField(read_only=True, allow_null=True)
    capteur_name = serializers.CharField(source="capteur.name", read_only=True, default=None)
    assigned_to_name = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    possible_duplicate_of_reference = serializers.SerializerMethodField()
    suggest_close_unreachable = serializers.SerializerMethodField()
    personal_data_visible = serializers.SerializerMethodField()
    acknowledgment_sms = serializers.SerializerMethodField()
    sms_capable = serializers.SerializerMethodField(
        help_text=_(
            "Le numéro peut recevoir un SMS (faux pour un fixe, un numéro invalide ou pas de "
            "numéro) : sinon, on appelle."
        )
    )
    sms_capable_label = serializers.SerializerMethodField(
        help_text=_("« fixe — pas de SMS » quand le numéro ne peut pas recevoir de SMS.")
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "territory",
            "capteur",
            "capteur_name",
            "channel",
            "filled_by",
            "status",
            "closing_reason",
            "needs",
            "call_moments",
            "assigned_to",
            "assigned_to_name",
            "first_contact_due_on",
            "overdue",
            "possible_duplicate_of",
            "possible_duplicate_of_reference",
            "unanswered_attempts",
            "suggest_close_unreachable",
            "created_at",
            "first_contacted_at",
            "closed_at",
            "personal_data_visible",
            "acknowledgment_sms",
            "sms_capable",
            "sms_capable_label",
            *PERSONAL_FIELDS,
        ]
        read_only_fields = fields
        # Null where the personal data is hidden (to_representation).
        extra_kwargs = {name: {"allow_null": True} for name in PERSONAL_FIELDS}

    def _visible(self, referral) -> bool:
        return can_see_personal_data(self.context["request"].user, referral)

    def to_representation(self, referral):
        data = super().to_representation(referral)
        if not self._visible(referral):
            for name in PERSONAL_FIELDS:
                data[name] = None
        return data

    def get_personal_data_visible(self, referral) -> bool:
        return self._visible(referral)

    def get_assigned_to_name(self, referral) -> str | None:
        return str(referral.assigned_to) if referral.assigned_to_id else None

    def get_overdue(self, referral) -> bool:
        # Annotated by backend.referrals.selectors.referral_queryset (selectors.overdue_q).
        return referral.overdue

    def get_possible_duplicate_of_reference(self, referral) -> str | None:
        duplicate = referral.possible_duplicate_of
        return duplicate.pseudonym if duplicate else None

    def get_suggest_close_unreachable(self, referral) -> bool:
        # Annotated by referral_queryset (selectors.unreachable_suggestion_q).
        return referral.suggest_close_unreachable

    def get_sms_capable(self, referral) -> bool:
        # Worked out once a referral (both fields read it), from the number as loaded (a
        # PhoneNumber, or "" without one): not formatted and parsed again.
        if not hasattr(referral, "_sms_capable"):
            phone = referral.phone
            referral._sms_capable = (
                isinstance(phone, PhoneNumber) and sms_number_refusal(phone) is None
            )
        return referral._sms_capable

    def get_sms_capable_label(self, referral) -> str | None:
        if not isinstance(referral.phone, PhoneNumber) or self.get_sms_capable(referral):
            return None
        return str(_("fixe — pas de SMS"))

    @extend_schema_field(AcknowledgmentSmsOutputSerializer(allow_null=True))
    def get_acknowledgment_sms(self, referral) -> dict | None:
        # Annotated by backend.referrals.selectors.referral_queryset (no query per row).
        status = referral.acknowledgment_sms_status
        if status is None:
            return None
        # AcknowledgmentSmsOutputSerializer's shape, without a serializer built per row.
        return {
            "status": status,
            "last_error": referral.acknowledgment_sms_last_error,
            "at": _AT.to_representation(referral.acknowledgment_sms_at),
        }


class ReferralEventOutputSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = ReferralEvent
        fields = ["id", "kind", "actor", "actor_name", "at", "payload"]
        read_only_fields = fields

    def get_actor_name(self, event) -> str | None:
        return str(event.actor) if event.actor_id else None

    def to_representation(self, event):
        data = super().to_representation(event)
        if "text" in data["payload"] and not self.context.get("personal_data_visible"):
            # A staff note may name the person: coordinators see that a note exists, not it.
            data["payload"] = {**data["payload"], "text": None}
        return data


class AttemptInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AttemptKind.choices)
    outcome = serializers.ChoiceField(choices=AttemptOutcome.choices)


class StatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    closing_reason = serializers.ChoiceField(
        choices=ClosingReason.choices, required=False, allow_blank=True
    )

    def validate(self, attrs):
        if attrs["status"] == Status.CLOSED and not attrs.get("closing_reason"):
            raise serializers.ValidationError(
                {"closing_reason": [_("Indiquez le motif de clôture.")]}
            )
        return attrs


class FacilitatorsInputSerializer(serializers.Serializer):
    territory = serializers.IntegerField(required=False, min_value=1)


class FacilitatorLoadOutputSerializer(serializers.Serializer):
    """A facilitator of a territory, with their open referrals there: whom to give one to."""

    id = serializers.IntegerField(
        source="user_id", help_text="The user: `assigned_to` of a reassignment."
    )
    full_name = serializers.CharField(source="user.get_full_name")
    territory_id = serializers.IntegerField()
    territory_name = serializers.CharField(source="territory.name")
    available = serializers.SerializerMethodField()
    unavailable_until = serializers.DateField(allow_null=True)
    open_referrals = serializers.IntegerField(help_text="Open referrals assigned to them there.")
    overdue = serializers.IntegerField(help_text="Of those, not contacted past their due date.")

    def get_available(self, membership) -> bool:
        return membership.is_available()


class ReassignInputSerializer(serializers.Serializer):
    assigned_to = serializers.IntegerField()


class NoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class OrientInputSerializer(serializers.Serializer):
    structure = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=OrientationOutcome.choices, required=False)


class OrientationOutcomeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OrientationOutcome.choices)


class ContactInputSerializer(serializers.Serializer):
    """A correction of the person's contact details: a field left out stays as it is, an empty
    one is removed (one of the two must remain)."""

    phone = PhoneNumberField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Indiquez le numéro de téléphone ou l'adresse e-mail.")]}
            )
        return attrs


class OrientationOutputSerializer(serializers.ModelSerializer):
    structure_name = serializers.CharField(source="structure.name", read_only=True)

    class Meta:
        model = Orientation
        fields = ["id", "referral", "structure", "structure_name", "outcome", "created_at"]
        read_only_fields = fields


class CapteurSummaryOutputSerializer(serializers.ModelSerializer):
    """A monthly message to a capteur, as the facilitator sees it on the capteur."""

    delivery_status = serializers.CharField(
        source="notification.status", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = CapteurSummary
        fields = [
            "id",
            "month",
            "kind",
            "channel",
            "sent",
            "reached",
            "oriented",
            "delivery_status",
            "created_at",
        ]
        read_only_fields = fields
