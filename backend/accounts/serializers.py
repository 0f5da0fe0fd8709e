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


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "full_name", "memberships"]
        read_only_fields = fields
