"""The rows of the pseudonymised referral export: no name, phone, email or note is ever read."""

from collections.abc import Iterator
from typing import Any

from backend.dashboard.selectors.referrals import scoped_referrals
from backend.dashboard.selectors.scope import Scope

# Rows read from the database at a time while the file streams out.
EXPORT_CHUNK_SIZE = 2000
# The only columns of a referral the export reads (never the person's fields).
EXPORTED_FIELDS = [
    "id",
    "created_at",
    "territory__name",
    "capteur__name",
    "capteur__kind",
    "code__short_code",
    "channel",
    "filled_by",
    "needs",
    "status",
    "closing_reason",
    "possible_duplicate_of_id",
    "first_contact_due_on",
    "first_contacted_at",
    "met_at",
    "oriented_at",
    "closed_at",
]


def referral_export_rows(scope: Scope) -> Iterator[dict[str, Any]]:
    """The referrals received in the period, oldest first, as dicts of EXPORTED_FIELDS (plain
    rows: no model built per referral). Duplicates included (the export lists referrals, not
    people; their closing reason says so). One query, read in chunks (`iterator`), so the file
    streams whatever its size."""
    return (
        scoped_referrals(scope)
        .filter(scope.period.instants("created_at"))
        .order_by("created_at", "id")
        .values(*EXPORTED_FIELDS)
        .iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
