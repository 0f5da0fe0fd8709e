"""Who may do what. Plain predicates, plus the DRF permission every staff endpoint uses."""

from rest_framework import permissions

from backend.accounts.models import Membership


def is_staff_member(user):
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

    def has_permission(self, request, view):
        return is_staff_member(request.user)
