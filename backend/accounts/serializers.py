from rest_framework import serializers

from backend.accounts.enums import Role
from backend.accounts.models import Membership, User
from backend.accounts.selectors import user_has_second_factor


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


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    second_factor = SecondFactorStateSerializer(source="*", read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "memberships",
            "second_factor",
        ]
        read_only_fields = fields
