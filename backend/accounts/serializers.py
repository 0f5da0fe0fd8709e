from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.enums import Role
from backend.accounts.models import Membership, User
from backend.accounts.scoping import is_admin
from backend.accounts.selectors import memberships_of, user_has_second_factor


class MembershipSerializer(serializers.ModelSerializer):
    territory_id = serializers.IntegerField(source="territory.id", read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    territory_slug = serializers.CharField(source="territory.slug", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    available = serializers.SerializerMethodField()

    def get_available(self, membership) -> bool:
        return membership.is_available()

    class Meta:
        model = Membership
        fields = [
            "territory_id",
            "territory_name",
            "territory_slug",
            "role",
            "available",
            "unavailable_until",
        ]


class SecondFactorStateSerializer(serializers.Serializer):
    """The user's second factor: on or not, and whether their role requires it."""

    enabled = serializers.SerializerMethodField()
    # (Field.required is an attribute too: the metaclass takes this field out of it.)
    required = serializers.SerializerMethodField()  # type: ignore[assignment]

    def get_enabled(self, user) -> bool:
        return user_has_second_factor(user=user)

    def get_required(self, user) -> bool:
        # The memberships are prefetched (selectors.user_with_memberships): no query.
        coordinator = any(m.role == Role.COORDINATOR for m in user.memberships.all())
        return bool(user.is_staff or user.is_superuser or coordinator)


class MapTilesSerializer(serializers.Serializer):
    """The map's tile server, when the deployment set one (settings.MAP_TILES_URL)."""

    url = serializers.CharField(help_text="A Leaflet URL template, or empty: no tiles.")
    attribution = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField(
        help_text=_(
            "Les territoires de la personne et son rôle dans chacun ; pour un administrateur, "
            "aussi chaque autre territoire, avec le rôle de coordination."
        )
    )
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    is_admin = serializers.SerializerMethodField(
        help_text=_("Administrateur : voit tous les territoires.")
    )
    second_factor = SecondFactorStateSerializer(source="*", read_only=True)
    map_tiles = serializers.SerializerMethodField()

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user) -> list[dict[str, object]]:
        return list(MembershipSerializer(memberships_of(user), many=True).data)

    def get_is_admin(self, user) -> bool:
        return is_admin(user)

    @extend_schema_field(MapTilesSerializer)
    def get_map_tiles(self, user) -> dict[str, str]:
        # The app's one deployment setting: read with the profile it already loads at start.
        return {"url": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION}

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "is_admin",
            "memberships",
            "second_factor",
            "map_tiles",
        ]
        read_only_fields = fields
