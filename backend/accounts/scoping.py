"""Territory scoping, in one place.

Every staff read of territory-owned data goes through `TerritoryScopedQuerySet.for_user`:
a user sees the rows of the territories they hold a membership in, and nothing else.
Rows of another territory are simply absent, so detail endpoints answer 404, not 403.
"""

from collections.abc import Iterable, Mapping
from typing import Self, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models

from backend.accounts.models import Membership, Territory, User

_M = TypeVar("_M", bound=models.Model, covariant=True)


def territory_ids_for(
    user: User | AnonymousUser | None, *, roles: Iterable[str] | None = None
) -> models.QuerySet[Membership, Mapping[str, object]]:
    """Subquery of the ids of the territories `user` is a member of (optionally with a role)."""
    if user is None or not user.is_authenticated:
        return Membership.objects.none().values("territory_id")
    memberships = Membership.objects.filter(user=user, user__is_active=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
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
