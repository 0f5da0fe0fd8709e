from django.db.models import Prefetch
from django_otp import user_has_device

from backend.accounts.models import Membership, User


def user_with_memberships(*, user_id: int) -> User:
    return User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("territory"))
    ).get(id=user_id)


def user_has_second_factor(*, user: User) -> bool:
    """`user` has a confirmed authenticator app (TOTP device) or recovery codes."""
    return bool(user_has_device(user, confirmed=True))
