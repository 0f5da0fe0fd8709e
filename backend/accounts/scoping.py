"""Territory scoping, in one place.

Every staff read of territory-owned data goes through `TerritoryScopedQuerySet.for_user`:
a user sees the rows of the territories they hold a membership in, and nothing else.
Rows of another territory are simply absent, so detail endpoints answer 404, not 403.

The one exception is the administrator (an active superuser, SPEC.md's "admin"): they see every
territory as its coordinator does (pseudonymised), except where they hold a membership of
their own, which says their role there (`ADMIN_ROLE`, and `territory_roles` in accounts.perms).
"""

from collections.abc import Iterable, Mapping
from typing import Any, Self, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User

_M = TypeVar("_M", bound=models.Model, covariant=True)


# The role an administrator holds in every territory they are not a member of.
ADMIN_ROLE = Role.COORDINATOR


def is_admin(user: User | AnonymousUser | None) -> bool:
    """An active superuser: sees every territory (module docstring)."""
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def territory_ids_for(
    user: User | AnonymousUser | None, *, roles: Iterable[str] | None = None
) -> models.QuerySet[Any, Mapping[str, object]]:
    """Subquery of the ids of the territories `user` is a member of (optionally with a role);
    for an administrator, also every territory they are not a member of (as ADMIN_ROLE)."""
    if user is None or not user.is_authenticated:
        return Membership.objects.none().values("territory_id")
    roles = list(roles) if roles else None
    memberships = Membership.objects.filter(user=user, user__is_active=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
    if is_admin(user) and (roles is None or ADMIN_ROLE in roles):
        member_of = Membership.objects.filter(user=user, territory=models.OuterRef("pk"))
        return Territory.objects.filter(
            ~models.Exists(member_of) | models.Q(id__in=memberships.values("territory_id"))
        ).values("id")
    return memberships.values("territory_id")


def territories_for(
    user: User | AnonymousUser | None, *, roles: Iterable[str] | None = None
) -> models.QuerySet[Territory]:
    return Territory.objects.filter(id__in=territory_ids_for(user, roles=roles))


class TerritoryScopedQuerySet(models.QuerySet[_M]):
    """QuerySet of a model that belongs to a territory through `territory_path`.

    A model reaching its territory through another row subclasses it with its own path (a
    named class, not one built at run time: the type checker must see the manager's class).
    """

    territory_path = "territory"

    def for_user(
        self, user: User | AnonymousUser | None, *, roles: Iterable[str] | None = None
    ) -> Self:
        return self.filter(**{f"{self.territory_path}__in": territory_ids_for(user, roles=roles)})

    def for_territory(self, territory: Territory) -> Self:
        return self.filter(**{self.territory_path: territory})
