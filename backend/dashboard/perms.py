"""Who may see the dashboard of a territory, a capteur's history, and download the exports.

Territory scoping comes first (backend.accounts.scoping): a territory the user is no member of
is not found, so `?territory=<its id>` answers 404, like another territory's object; so does a
capteur of such a territory. These predicates then decide from the member's role there; the
API answers 403 when one says no.

| action | facilitator | coordinator |
|---|---|---|
| see a territory's dashboard: counts, trends, map, top and silent capteurs, codes | yes | yes |
| see a capteur's month-by-month history | yes | yes |
| download the funder indicators (CSV, XLSX) | no | yes |
| download the pseudonymised list of referrals (CSV) | no | yes |

The dashboard shows aggregates and pseudonymised references only, so both roles may read it.
The exports are the coordinator's funder reporting: files leave Relais, so only coordinators
download them. Without `?territory=`, the dashboard covers every territory of the user and the
exports every territory they coordinate (403 when they coordinate none).

Admins (superusers) are not in this table: without a membership the API refuses them like
anyone else.
"""

from backend.accounts.enums import Role
from backend.accounts.models import Territory, User
from backend.accounts.perms import territory_role
from backend.capteurs.models import Capteur


def _is_member(user: User, territory_id: int) -> bool:
    return territory_role(user, territory_id) is not None


def can_view_dashboard(user: User, territory: Territory) -> bool:
    """See the aggregates of `territory` (counts, trends, map, lists of capteurs and codes, never
    a referred person's data): its facilitators and coordinators."""
    return _is_member(user, territory.id)


def can_view_capteur_history(user: User, capteur: Capteur) -> bool:
    """See the capteur's month-by-month counts (referrals, scans, visits): the members of its
    territory."""
    return _is_member(user, capteur.territory_id)


def can_export_indicators(user: User, territory: Territory) -> bool:
    """Download `territory`'s funder indicators per month (CSV, XLSX): its coordinators."""
    return territory_role(user, territory.id) == Role.COORDINATOR


def can_export_referrals(user: User, territory: Territory) -> bool:
    """Download `territory`'s referrals, pseudonymised (no name, phone, email or note), as CSV:
    its coordinators."""
    return territory_role(user, territory.id) == Role.COORDINATOR
