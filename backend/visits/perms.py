"""Who may do what on visits, the day's round and the calendar feed.

Territory scoping comes first (backend.accounts.scoping): a visit or a capteur of a territory
the user is no member of is not found (404). These predicates then decide what a member of the
territory may do, from their role there; the API answers 403 when one says no.

| action | facilitator | coordinator |
|---|---|---|
| see visits and their history (all the territory's, whoever does them) | yes | yes |
| see one's day round (one's own planned visits, in route order) | yes | yes |
| plan a visit (for a facilitator of the territory) | yes | yes |
| reschedule or cancel a visit | yes | yes |
| record a visit as done | yes | yes |
| move the capteur's stage when recording a visit | yes | yes |
| withdraw the capteur when recording a visit | if référent | yes |
| subscribe to one's own calendar feed (open, rotate, close its secret link) | yes | yes |

"if référent": only the facilitator who is the capteur's référent (`Capteur.referent`), as in
backend/capteurs/perms.py, whose predicates decide the two stage rows. A coordinator's round
and calendar are empty unless visits are theirs (visits are done by facilitators). Admins
(superusers) are not in this table: they work in the Django admin, not through the API.

Lists need no predicate: what a member sees is what scoping gives them.
"""

from backend.accounts.models import User
from backend.accounts.perms import territory_role
from backend.capteurs.models import Capteur
from backend.visits.models import Visit


def _is_member(user: User, territory_id: int) -> bool:
    return territory_role(user, territory_id) is not None


def can_view_visit(user: User, visit: Visit) -> bool:
    """See the visit and its history: the members of its territory."""
    return _is_member(user, visit.territory_id)


def can_plan_visit(user: User, capteur: Capteur) -> bool:
    """Plan a visit to the capteur, for any facilitator of its territory: the members of its
    territory (a coordinator plans for the team)."""
    return _is_member(user, capteur.territory_id)


def can_reschedule_visit(user: User, visit: Visit) -> bool:
    """Move a planned visit to another day: the members of its territory, whoever does it."""
    return _is_member(user, visit.territory_id)


def can_cancel_visit(user: User, visit: Visit) -> bool:
    """Cancel a planned visit: the members of its territory, whoever does it."""
    return _is_member(user, visit.territory_id)


def can_record_visit(user: User, visit: Visit) -> bool:
    """Record a visit as done, with its outcome and next step: the members of its territory
    (a colleague may record a visit they did instead)."""
    return _is_member(user, visit.territory_id)
