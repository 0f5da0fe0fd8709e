from django.db.models import Prefetch
from django_otp import user_has_device

from backend.accounts.models import Membership, Territory, User
from backend.accounts.scoping import ADMIN_ROLE, is_admin


def user_with_memberships(*, user_id: int) -> User:
    return User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("territory"))
    ).get(id=user_id)


def memberships_of(user: User) -> list[Membership]:
    """`user`'s memberships (prefetched by user_with_memberships); an administrator also gets,
    for every territory they are not a member of, an unsaved one with ADMIN_ROLE: the roles
    the API grants them (backend.accounts.scoping). One query more for an administrator."""
    memberships = list(user.memberships.all())
    if is_admin(user):
        member_of = {membership.territory_id for membership in memberships}
        memberships += [
            Membership(user=user, territory=territory, role=ADMIN_ROLE)
            for territory in Territory.objects.exclude(id__in=member_of).order_by("name")
        ]
    return memberships


def user_has_second_factor(*, user: User) -> bool:
    """`user` has a confirmed authenticator app (TOTP device) or recovery codes."""
    return bool(user_has_device(user, confirmed=True))
