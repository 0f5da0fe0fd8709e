"""Territory scoping, in one place.

Every staff read of territory-owned data goes through `TerritoryScopedQuerySet.for_user`:
a user sees the rows of the territories they hold a membership in, and nothing else.
Rows of another territory are simply absent, so detail endpoints answer 404, not 403.
"""

from django.db import models

from backend.accounts.models import Membership, Territory


def territory_ids_for(user, *, roles=None):
    """Subquery of the ids of the territories `user` is a member of (optionally with a role)."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none().values("territory_id")
    memberships = Membership.objects.filter(user=user, user__is_active=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("territory_id")


def territories_for(user, *, roles=None):
    return Territory.objects.filter(id__in=territory_ids_for(user, roles=roles))


class TerritoryScopedQuerySet(models.QuerySet):
    """QuerySet of a model that belongs to a territory through `territory_path`."""

    territory_path = "territory"

    def for_user(self, user, *, roles=None):
        return self.filter(**{f"{self.territory_path}__in": territory_ids_for(user, roles=roles)})

    def for_territory(self, territory):
        return self.filter(**{self.territory_path: territory})


def scoped_queryset(path):
    """A TerritoryScopedQuerySet class for models reaching their territory through `path`."""
    return type(
        f"TerritoryScopedQuerySet_{path.replace('__', '_')}",
        (TerritoryScopedQuerySet,),
        {"territory_path": path, "__module__": __name__},
    )
