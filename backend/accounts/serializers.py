from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.enums import Role
from backend.accounts.models import Membership, User


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


class MapTilesSerializer(serializers.Serializer):
    """The map's tile server, when the deployment set one (settings.MAP_TILES_URL)."""

    url = serializers.CharField(help_text="A Leaflet URL template, or empty: no tiles.")
    attribution = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    map_tiles = serializers.SerializerMethodField()

    @extend_schema_field(MapTilesSerializer)
    def get_map_tiles(self, user) -> dict[str, str]:
        # The app's one deployment setting: read with the profile it already loads at start.
        return {"url": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION}

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "full_name", "memberships", "map_tiles"]
        read_only_fields = fields
