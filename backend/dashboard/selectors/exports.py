"""The rows of the pseudonymised referral export: no name, phone, email or note is ever read."""

from collections.abc import Iterator

from backend.dashboard.selectors.referrals import scoped_referrals
from backend.dashboard.selectors.scope import Scope
from backend.referrals.models import Referral

# Rows read from the database at a time while the file streams out.
EXPORT_CHUNK_SIZE = 2000
# The only columns of a referral the export reads (the person's fields stay deferred).
EXPORTED_FIELDS = [
    "id",
    "created_at",
    "territory",
    "territory__name",
    "capteur",
    "capteur__name",
    "capteur__kind",
    "code",
    "code__short_code",
    "channel",
    "filled_by",
    "needs",
    "status",
    "closing_reason",
    "possible_duplicate_of",
    "first_contact_due_on",
    "first_contacted_at",
    "met_at",
    "oriented_at",
    "closed_at",
]


def referral_export_rows(scope: Scope) -> Iterator[Referral]:
    """The referrals received in the period, oldest first, with only EXPORTED_FIELDS loaded.
    Duplicates included (the export lists referrals, not people; their closing reason says
    so). One query, read in chunks (`iterator`), so the file streams whatever its size."""
    return (
        scoped_referrals(scope)
        .filter(scope.period.instants("created_at"))
        .select_related("territory", "capteur", "code")
        .only(*EXPORTED_FIELDS)
        .order_by("created_at", "id")
        .iterator(chunk_size=EXPORT_CHUNK_SIZE)
    )
