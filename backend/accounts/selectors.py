from django.db.models import Exists, OuterRef, Prefetch, Q
from django_otp import device_classes

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
    """`user` has a confirmed authenticator app (TOTP device) or recovery codes: one query
    over every installed kind of device (django-otp's `user_has_device` asks each kind in
    turn, two queries on every request of an account with none)."""
    if user.pk is None:
        return False
    any_device = Q()
    for device in device_classes():
        any_device |= Q(Exists(device.objects.filter(user=OuterRef("pk"), confirmed=True)))
    return User.objects.filter(pk=user.pk).filter(any_device).exists()
