"""Shapes of the visits API: small outputs for a phone on a rural network."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.accounts.enums import Role
from backend.accounts.models import User
from backend.accounts.scoping import territories_for
from backend.capteurs.enums import Stage
from backend.capteurs.models import Capteur
from backend.visits.enums import RoundStart, VisitEventKind, VisitKind
from backend.visits.models import NOTE_MAX_LENGTH, OUTCOME_MAX_LENGTH, Visit, VisitEvent

NEXT_STEP_MAX_LENGTH = Visit._meta.get_field("next_step").max_length
REASON_MAX_LENGTH = 500


def not_past(day):
    if day < timezone.localdate():
        raise serializers.ValidationError(_("Cette date est déjà passée."))
    return day


class VisitOutputSerializer(serializers.ModelSerializer):
    """A visit in a list: what a phone shows in one row (no outcome text)."""

    capteur_name = serializers.CharField(source="capteur.name", read_only=True)
    capteur_city = serializers.CharField(source="capteur.city", read_only=True)
    latitude = serializers.DecimalField(
        source="capteur.latitude", max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        source="capteur.longitude", max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    facilitator_name = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "territory",
            "capteur",
            "capteur_name",
            "capteur_city",
            "latitude",
            "longitude",
            "kind",
            "status",
            "planned_on",
            "done_on",
            "auto_planned",
            "facilitator",
            "facilitator_name",
            "note",
            "next_step",
        ]
        read_only_fields = fields

    def get_facilitator_name(self, visit) -> str | None:
        return str(visit.facilitator) if visit.facilitator_id else None


class VisitEventOutputSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=VisitEventKind.choices, read_only=True)
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = VisitEvent
        fields = ["kind", "at", "actor", "actor_name", "payload"]
        read_only_fields = fields

    def get_actor_name(self, event) -> str | None:
        """None: the planning job (or a deleted account)."""
        return str(event.actor) if event.actor_id else None


class VisitDetailOutputSerializer(VisitOutputSerializer):
    """A visit with its outcome, the capteur's address and phone, and its history."""

    capteur_address = serializers.CharField(source="capteur.address", read_only=True)
    capteur_postal_code = serializers.CharField(source="capteur.postal_code", read_only=True)
    capteur_phone = serializers.CharField(source="capteur.phone", read_only=True)
    events = VisitEventOutputSerializer(many=True, read_only=True)

    class Meta(VisitOutputSerializer.Meta):
        fields = [
            *VisitOutputSerializer.Meta.fields,
            "outcome",
            "capteur_address",
            "capteur_postal_code",
            "capteur_phone",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VisitPlanInputSerializer(serializers.Serializer):
    capteur = serializers.PrimaryKeyRelatedField(queryset=Capteur.objects.none())
    facilitator = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        help_text=_("Défaut : soi-même (si l'on est facilitateur du territoire du capteur)."),
    )
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    planned_on = serializers.DateField()
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("L'objet de la visite (apporter des affiches, présenter le réseau…)."),
    )

    def validate_planned_on(self, value):
        return not_past(value)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        # Only the capteurs the user sees: another territory's is "not found" (400).
        self.fields["capteur"].queryset = Capteur.objects.for_user(user)
        # Only facilitators the user works with: any other id gets the same "does not exist"
        # answer. The exact rule (a facilitator of the capteur's territory) is the service's.
        self.fields["facilitator"].queryset = User.objects.filter(
            is_active=True,
            memberships__role=Role.FACILITATOR,
            memberships__territory__in=territories_for(user),
        ).distinct()


class VisitRescheduleInputSerializer(serializers.Serializer):
    planned_on = serializers.DateField()

    def validate_planned_on(self, value):
        return not_past(value)


class VisitDoneInputSerializer(serializers.Serializer):
    done_on = serializers.DateField(
        default=timezone.localdate, help_text=_("Défaut : aujourd'hui.")
    )
    outcome = serializers.CharField(
        max_length=OUTCOME_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    next_step = serializers.CharField(
        max_length=NEXT_STEP_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    capteur_stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        help_text=_("La nouvelle étape du capteur après cette visite (ex. signé : partenaire)."),
    )

    def validate_done_on(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("Une visite ne peut pas être faite dans le futur."))
        return value


class VisitCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class RoundQuerySerializer(serializers.Serializer):
    date = serializers.DateField(default=timezone.localdate, help_text=_("Défaut : aujourd'hui."))


class RoundStartOutputSerializer(serializers.Serializer):
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    source = serializers.ChoiceField(choices=RoundStart.choices)  # type: ignore[assignment]  # DRF moves declared fields off the class: no clash with Field.source


class RoundStopOutputSerializer(serializers.Serializer):
    visit = serializers.IntegerField(source="visit.id")
    capteur = serializers.IntegerField(source="visit.capteur_id")
    capteur_name = serializers.CharField(source="visit.capteur.name")
    capteur_city = serializers.CharField(source="visit.capteur.city")
    capteur_address = serializers.CharField(source="visit.capteur.address")
    capteur_phone = serializers.CharField(source="visit.capteur.phone")
    latitude = serializers.DecimalField(
        source="visit.capteur.latitude", max_digits=9, decimal_places=6, allow_null=True
    )
    longitude = serializers.DecimalField(
        source="visit.capteur.longitude", max_digits=9, decimal_places=6, allow_null=True
    )
    kind = serializers.ChoiceField(source="visit.kind", choices=VisitKind.choices)
    planned_on = serializers.DateField(source="visit.planned_on")
    note = serializers.CharField(
        source="visit.note", help_text=_("L'objet de la visite, noté en la planifiant.")
    )
    previous_next_step = serializers.CharField(
        source="visit.previous_next_step",
        allow_null=True,
        help_text=_("La suite à donner notée à la dernière visite du capteur."),
    )
    overdue = serializers.BooleanField(help_text=_("Prévue avant ce jour et pas encore faite."))
    distance_from_previous_km = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "À vol d'oiseau ; vide sans coordonnées ou pour la première étape sans départ."
        ),
    )
    maps_url = serializers.CharField(
        allow_null=True, help_text=_("URI geo: qui ouvre l'application de cartes du téléphone.")
    )


class RoundOutputSerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    start = RoundStartOutputSerializer(source="start_info")
    total_km = serializers.FloatField(help_text=_("À vol d'oiseau, du départ à la dernière étape."))
    stops = RoundStopOutputSerializer(many=True)


class CalendarFeedOutputSerializer(serializers.Serializer):
    url = serializers.CharField(allow_null=True, help_text=_("Lien https de l'agenda (ICS)."))
    webcal_url = serializers.CharField(
        allow_null=True,
        help_text=_("Le même en webcal:// : un téléphone propose de s'y abonner."),
    )
    created_at = serializers.DateTimeField(allow_null=True)
