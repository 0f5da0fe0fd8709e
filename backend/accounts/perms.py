"""Who may do what. Plain predicates, plus the DRF permission every staff endpoint uses.

Each app's `perms.py` decides what a member may do inside a territory from the member's role
there, read with `territory_role`: one query per request, whatever the number of checks.
"""

import weakref
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from rest_framework import permissions

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.accounts.scoping import ADMIN_ROLE, ROLES_ATTRIBUTE, is_admin

if TYPE_CHECKING:
    # Types only: DRF imports this module while rest_framework.views is still loading.
    from rest_framework.request import Request
    from rest_framework.views import APIView

# `territory_roles` keeps its answer on the user object (ROLES_ATTRIBUTE), which lives as long as
# the request: a user is only ever loaded for one request, so this is a per-request cache.
# ROLES_REQUEST_ATTRIBUTE: the request they were read for (a test may reuse a user object).
ROLES_REQUEST_ATTRIBUTE = "_relais_territory_roles_request"
# Territory scoping reads it too.


def territory_roles(
    user: User | AnonymousUser, *, refresh: bool = False, request: object | None = None
) -> dict[int, Role]:
    """`user`'s role in each territory they are a member of: {territory id: role}; an
    administrator holds ADMIN_ROLE in every other territory (backend.accounts.scoping).

    One query (two for an administrator), then kept on the user object so that predicates
    checked on every row of a list cost nothing more; `refresh` reads the memberships again,
    and so does `request` (the HTTP request being served) once per request: the API's
    authentication and its permission both ask, and the memberships are read for the first.
    Anonymous and deactivated users have no role anywhere (no query).
    """
    if not (user.is_authenticated and user.is_active):
        return {}
    if request is not None:
        read_for = getattr(user, ROLES_REQUEST_ATTRIBUTE, None)
        refresh = refresh or read_for is None or read_for() is not request
        # A weak reference: the user must not keep the request (and its cycle) alive.
        setattr(user, ROLES_REQUEST_ATTRIBUTE, weakref.ref(request))
    roles: dict[int, Role] | None = None if refresh else getattr(user, ROLES_ATTRIBUTE, None)
    if roles is None:
        roles = {
            territory_id: Role(role)
            for territory_id, role in Membership.objects.filter(user=user).values_list(
                "territory_id", "role"
            )
        }
        if is_admin(user):
            everywhere = Territory.objects.values_list("id", flat=True)
            roles = dict.fromkeys(everywhere, ADMIN_ROLE) | roles
        setattr(user, ROLES_ATTRIBUTE, roles)
    return roles


def territory_role(user: User | AnonymousUser, territory_id: int) -> Role | None:
    """`user`'s role in territory `territory_id`, None when they are not a member of it."""
    return territory_roles(user).get(territory_id)


def is_staff_member(user: User | AnonymousUser | None, *, request: object | None = None) -> bool:
    """True when `user` is logged in, active, and holds at least one territory membership (or
    is an administrator, who has a role in every territory).

    The roles the predicates read afterwards are this request's: read afresh, unless already
    read while serving `request` (the API's authentication does, just before).
    """
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and territory_roles(user, refresh=request is None, request=request)
    )


class IsStaffMember(permissions.BasePermission):
    """Default permission of the API: a logged-in member of at least one territory.

    What they may see inside is decided by territory scoping (backend.accounts.scoping); what
    they may do there, by the predicates of each app's perms.py.
    """

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return is_staff_member(request.user, request=request._request)


def second_factor_required(user: User | AnonymousUser) -> bool:
    """True for the accounts that must use a second factor (TOTP): coordinators (in any
    territory) and admins (Django staff or superusers). Facilitators may choose to."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(
        user.is_staff or user.is_superuser or Role.COORDINATOR in territory_roles(user).values()
    )
