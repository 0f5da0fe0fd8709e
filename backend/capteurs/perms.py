"""Who may do what on capteurs, their referral codes, their prints and their space link.

Territory scoping comes first (backend.accounts.scoping): a capteur of a territory the user is
no member of is not found (404). These predicates then decide what a member of the capteur's
territory may do with it, from their role there; the API answers 403 when one says no.

| action | facilitator | coordinator |
|---|---|---|
| see capteurs, their codes and prints (QR codes, posters, stickers) | yes | yes |
| register a capteur | yes | yes |
| edit a capteur | yes | yes |
| change a capteur's référent | yes | yes |
| move a capteur's stage (prospect, partner, paused, back from withdrawn) | yes | yes |
| withdraw a capteur (revokes all its codes and its space, irreversibly) | if référent | yes |
| issue a code | yes | yes |
| revoke or reissue a code (a lost or defaced poster) | yes | yes |
| issue, revoke, send (SMS, e-mail), show (QR) or print (welcome sheet) the space link | yes | yes |

"if référent": only the facilitator who is the capteur's référent (`Capteur.referent`).
Admins (superusers) are not in this table: they work in the Django admin, under Django's model
permissions, not through the API and these predicates (without a membership the API refuses
them like anyone else).

Lists need no predicate: what a member sees is what scoping gives them.
"""

from backend.accounts.enums import Role
from backend.accounts.models import Territory, User
from backend.accounts.perms import territory_role
from backend.capteurs.models import Capteur, ReferralCode


def _is_member(user: User, territory_id: int) -> bool:
    return territory_role(user, territory_id) is not None


def can_view_capteur(user: User, capteur: Capteur) -> bool:
    """See the capteur, its stage history, its codes and their prints: the members (facilitators
    and coordinators) of its territory."""
    return _is_member(user, capteur.territory_id)


def can_register_capteur(user: User, territory: Territory) -> bool:
    """Register a capteur (as a prospect) in `territory`: its facilitators and coordinators."""
    return _is_member(user, territory.id)


def can_edit_capteur(user: User, capteur: Capteur) -> bool:
    """Edit the capteur's description (name, address, contact, notes...): the members of its
    territory."""
    return _is_member(user, capteur.territory_id)


def can_change_capteur_referent(user: User, capteur: Capteur) -> bool:
    """Give the capteur another référent facilitator, or none: the members of its territory."""
    return _is_member(user, capteur.territory_id)


def can_move_capteur_stage(user: User, capteur: Capteur) -> bool:
    """Move the capteur between prospect, partner and paused, or bring a withdrawn capteur back
    as a prospect: the members of its territory. Withdrawing is `can_withdraw_capteur`."""
    return _is_member(user, capteur.territory_id)


def can_withdraw_capteur(user: User, capteur: Capteur) -> bool:
    """Withdraw the capteur from the network, which revokes all its codes and closes its space
    for good: the coordinators of its territory, and its référent if a facilitator there."""
    role = territory_role(user, capteur.territory_id)
    return role == Role.COORDINATOR or (role == Role.FACILITATOR and capteur.referent_id == user.pk)


def can_issue_code(user: User, capteur: Capteur) -> bool:
    """Issue a new referral code for the capteur: the members of its territory."""
    return _is_member(user, capteur.territory_id)


def can_revoke_code(user: User, code: ReferralCode) -> bool:
    """Revoke a code, and reissue it at once (a lost or defaced poster): the members of its
    capteur's territory. Precondition: `code.capteur` is loaded (no query here)."""
    return _is_member(user, code.capteur.territory_id)


def can_manage_capteur_space(user: User, capteur: Capteur) -> bool:
    """Issue, reissue or close the capteur space's secret link, send it (SMS, e-mail), show its
    QR code or print its welcome sheet: the members of its territory."""
    return _is_member(user, capteur.territory_id)
