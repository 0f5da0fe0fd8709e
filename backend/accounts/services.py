"""Writes on accounts and memberships."""

import datetime

from django.db import transaction

from backend.accounts.models import Membership


@transaction.atomic
def membership_set_unavailable(
    *, membership: Membership, until: datetime.date | None
) -> Membership:
    """Marks an absence until `until` included (None: available again).

    While away, routing sends new referrals to the territory's other facilitators.
    """
    membership.unavailable_until = until
    membership.save(update_fields=["unavailable_until", "updated_at"])
    return membership
