"""Who may do what on the support structures directory.

Territory scoping comes first (backend.accounts.scoping): a structure of a territory the user
is no member of is not found (404). These predicates then decide what a member of the
territory may do, from their role there; the API answers 403 when one says no.

| action | facilitator | coordinator |
|---|---|---|
| see structures | yes | yes |
| create a structure | yes | yes |
| edit a structure (or reactivate it) | yes | yes |
| deactivate a structure | yes | yes |
| import structures in bulk (CSV, data·inclusion) | no | yes |

Admins (superusers) are not in this table: they work in the Django admin, under Django's model
permissions, not through the API and these predicates (without a membership the API refuses
them like anyone else). The `import_structures` management command needs server access: it is
outside these rules too.

Lists need no predicate: what a member sees is what scoping gives them.
"""

from backend.accounts.enums import Role
from backend.accounts.models import Territory, User
from backend.accounts.perms import territory_role
from backend.structures.models import Structure


def _is_member(user: User, territory_id: int) -> bool:
    return territory_role(user, territory_id) is not None


def can_view_structure(user: User, structure: Structure) -> bool:
    """See the structure and its contacts: the members (facilitators and coordinators) of its
    territory."""
    return _is_member(user, structure.territory_id)


def can_create_structure(user: User, territory: Territory) -> bool:
    """Add one structure to `territory`'s directory: its facilitators and coordinators."""
    return _is_member(user, territory.id)


def can_edit_structure(user: User, structure: Structure) -> bool:
    """Edit the structure, its needs and contacts, or reactivate it: the members of its
    territory."""
    return _is_member(user, structure.territory_id)


def can_deactivate_structure(user: User, structure: Structure) -> bool:
    """Take the structure out of the active directory (never a deletion): the members of its
    territory."""
    return _is_member(user, structure.territory_id)


def can_import_structures(user: User, territory: Territory) -> bool:
    """Import structures in bulk into `territory` (a CSV file, data·inclusion services), which
    creates and updates many at once: the territory's coordinators only."""
    return territory_role(user, territory.id) == Role.COORDINATOR
