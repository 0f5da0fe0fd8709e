"""Who gets a new referral, and by when they must first call.

Routing: the capteur's référent facilitator when set and available, else the territory's
available facilitator with the fewest open referrals (ties: the longest-standing member).
Due date: N working days after the referral (territory setting), weekends and French public
holidays excluded (backend.core.calendar).
"""

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.capteurs.models import Capteur
from backend.referrals.enums import OPEN_STATUSES
from backend.referrals.models import Referral

# The candidates' columns: the membership's order and the user's ways to be reached.
CANDIDATE_FIELDS = (
    "id",
    "created_at",
    "user__id",
    "user__first_name",
    "user__last_name",
    "user__email",
    "user__phone",
    "user__is_active",
)


def pick_facilitator(
    *, territory: Territory, capteur: Capteur | None = None, today: datetime.date
) -> User | None:
    """The facilitator a new referral of `territory` (from `capteur`) goes to, or None.

    The capteur's référent, when available, is one small query on memberships: nobody's load
    needs counting (most capteurs have one). Otherwise one query: the territory's available
    facilitators with their open referral counts. The count is a subquery on open statuses
    only, which the (assigned_to, status, territory) index answers by reading each
    facilitator's open referrals: its cost does not grow with history (a join counted in
    `Count(filter=...)` reads every referral they ever had).
    """
    available = (
        Membership.objects.filter(territory=territory, role=Role.FACILITATOR, user__is_active=True)
        .filter(Q(unavailable_until__isnull=True) | Q(unavailable_until__lt=today))
        .select_related("user")
        # What a new referral reads of its facilitator (alert, acknowledgment, response): no
        # password hash, no dates, nothing else parsed per candidate.
        .only(*CANDIDATE_FIELDS)
    )
    referent_id = capteur.referent_id if capteur is not None else None
    if referent_id is not None:
        referent = available.filter(user_id=referent_id).first()
        if referent is not None:
            return referent.user
    open_load = (
        Referral.objects.filter(
            assigned_to=OuterRef("user_id"), territory=territory, status__in=OPEN_STATUSES
        )
        .order_by()
        .values("assigned_to")
        .annotate(n=Count("id"))
        .values("n")
    )
    least_loaded = (
        available.annotate(
            open_referrals=Coalesce(Subquery(open_load, output_field=IntegerField()), 0)
        )
        .order_by("open_referrals", "created_at", "id")
        .first()
    )
    return least_loaded.user if least_loaded is not None else None
