"""Who may see and do what on referrals.

Facilitators of a referral's territory see the person's data and act on the referral.
Coordinators see referrals pseudonymised (no name, phone, email or note) and may reassign.
Roles come from `backend.accounts.perms.territory_roles`, read once per request by the API's
membership check: none of these predicates costs a query.

| action | facilitator | coordinator |
|---|---|---|
| see referrals, their timeline and orientations, pseudonymised | yes | yes |
| see the person's first name, phone, email and note, and staff notes | yes | no |
| log a contact attempt, move the status, write a note | yes | no |
| orient to a structure, record what came of an orientation | yes | no |
| correct the person's phone or email, resend a failed acknowledgment | yes | no |
| reassign a referral to another facilitator of the territory | yes | yes |
| see the territory's facilitators, their open and overdue referrals, who is away | yes | yes |

Both roles may reassign, so both see whom to: the facilitators' load is counts and absences,
no referred person's data. A capteur's monthly summaries follow the capteurs' table.
"""

from django.contrib.auth.models import AnonymousUser

from backend.accounts.enums import Role
from backend.accounts.models import Territory, User
from backend.accounts.perms import territory_role, territory_roles
from backend.referrals.models import Referral


def facilitator_territory_ids(user: User | AnonymousUser) -> set[int]:
    """Ids of the territories where `user` is a facilitator."""
    return {tid for tid, role in territory_roles(user).items() if role == Role.FACILITATOR}


def can_see_personal_data(user: User | AnonymousUser, referral: Referral) -> bool:
    """The person's first name, phone, e-mail, note and staff notes: the territory's
    facilitators only."""
    return territory_role(user, referral.territory_id) == Role.FACILITATOR


def can_work_on_referral(user: User | AnonymousUser, referral: Referral) -> bool:
    """Log contacts, move the status, orient, write notes: the territory's facilitators."""
    return can_see_personal_data(user, referral)


def can_reassign_referral(user: User | AnonymousUser, referral: Referral) -> bool:
    """The territory's facilitators and coordinators (who manage routing)."""
    return territory_role(user, referral.territory_id) in (Role.FACILITATOR, Role.COORDINATOR)


def can_view_facilitators(user: User | AnonymousUser, territory: Territory) -> bool:
    """The territory's facilitators with their load and absences (whom to reassign to): its
    facilitators and coordinators, who both may reassign."""
    return territory_role(user, territory.id) in (Role.FACILITATOR, Role.COORDINATOR)
