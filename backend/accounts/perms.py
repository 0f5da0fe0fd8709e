"""Who may do what. Plain predicates, plus the DRF permission every staff endpoint uses."""

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from rest_framework import permissions
from rest_framework.request import Request

from backend.accounts.models import Membership, User

if TYPE_CHECKING:
    # Not at run time: rest_framework.views imports the default permission classes (this
    # module) while it loads, so importing it from here is circular.
    from rest_framework.views import APIView


def is_staff_member(user: User | AnonymousUser | None) -> bool:
    """True when `user` is logged in, active, and holds at least one territory membership."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and Membership.objects.filter(user=user).exists()
    )


class IsStaffMember(permissions.BasePermission):
    """Default permission of the API: a logged-in member of at least one territory.

    What they may see inside is decided by territory scoping (backend.accounts.scoping).
    """

    def has_permission(self, request: Request, view: "APIView") -> bool:
        return is_staff_member(request.user)
