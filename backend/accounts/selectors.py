from django.db.models import Prefetch

from backend.accounts.models import Membership, User


def user_with_memberships(*, user_id: int) -> User:
    return User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("territory"))
    ).get(id=user_id)
