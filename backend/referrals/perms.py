"""Who may see and do what on referrals.

Facilitators of a referral's territory see the person's data and act on the referral.
Coordinators see referrals pseudonymised (no name, phone, email or note) and may reassign.
"""

from backend.accounts.enums import Role
from backend.accounts.models import Membership, User
from backend.referrals.models import Referral


def facilitator_territory_ids(user: User) -> set[int]:
    """Ids of the territories where `user` is a facilitator (one query, then cached on the
    user object, which lives as long as the request)."""
    cached = getattr(user, "_facilitator_territory_ids", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, role=Role.FACILITATOR).values_list(
                "territory_id", flat=True
            )
        )
        # A per-request cache on the instance, not a model field.
        user._facilitator_territory_ids = cached  # type: ignore[attr-defined]
    return cached


def can_see_personal_data(
    user: User, referral: Referral, *, facilitator_territories: set[int] | None = None
) -> bool:
    territories = (
        facilitator_territories
        if facilitator_territories is not None
        else facilitator_territory_ids(user)
    )
    return referral.territory_id in territories


def can_work_on_referral(user: User, referral: Referral) -> bool:
    """Log contacts, move the status, orient, write notes: the territory's facilitators."""
    return can_see_personal_data(user, referral)


def can_reassign_referral(user: User, referral: Referral) -> bool:
    """The territory's facilitators and coordinators (who manage routing)."""
    return Membership.objects.filter(
        user=user,
        territory_id=referral.territory_id,
        role__in=[Role.FACILITATOR, Role.COORDINATOR],
    ).exists()
