"""Who may handle a person's request about their data (GDPR rights: access, copy, erasure).

Territory scoping comes first (backend.accounts.scoping): a request of a territory the user is
no member of is not found (404). A person asks the network of their territory; whoever answers
them there handles the request, facilitator or coordinator: a coordinator, who otherwise sees
referrals pseudonymised, sees the person's data when exporting it for them (the read is in the
audit log like any other).

| action | facilitator | coordinator |
|---|---|---|
| find what Relais holds on a person, by phone or e-mail | yes | yes |
| export it for the person (JSON, or a page to print) | yes | yes |
| erase it (anonymise every referral found, irreversibly) | yes | yes |

Every search, export and erasure writes a PrivacyRequest row (no phone or e-mail in clear).
Admins (superusers) are not in this table: the Django admin's "Anonymiser" action on referrals
runs the same anonymisation, under Django's model permissions.
"""

from backend.accounts.enums import Role
from backend.accounts.models import Territory, User
from backend.accounts.perms import territory_role
from backend.privacy.models import PrivacyRequest

HANDLERS = {Role.FACILITATOR, Role.COORDINATOR}


def can_search_person(user: User, territory: Territory) -> bool:
    """Find what Relais holds on a phone or e-mail in `territory`: its facilitators and
    coordinators."""
    return territory_role(user, territory.id) in HANDLERS


def can_export_person(user: User, search: PrivacyRequest) -> bool:
    """Export what `search` found, for the person: the facilitators and coordinators of its
    territory."""
    return territory_role(user, search.territory_id) in HANDLERS


def can_erase_person(user: User, search: PrivacyRequest) -> bool:
    """Erase what `search` found (anonymise every referral, blank the messages): the
    facilitators and coordinators of its territory."""
    return territory_role(user, search.territory_id) in HANDLERS
