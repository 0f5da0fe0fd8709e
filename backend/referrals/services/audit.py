"""Audit of staff reads of referrals' personal data (SPEC: every read is logged)."""

from collections.abc import Iterable

from backend.accounts.models import User
from backend.referrals.models import AccessLog, Referral
from backend.referrals.perms import can_see_personal_data


def referral_access_record(*, user: User, referrals: Iterable[Referral], action: str) -> None:
    """Writes that `user` was shown `referrals` (`action`: list, view, export), in one INSERT.

    Only the referrals whose personal data `user` may see are recorded: a coordinator's
    pseudonymised list reads nobody's data. No query for the permission (cached per request).
    """
    AccessLog.objects.bulk_create(
        [
            AccessLog(referral=referral, user=user, action=action)
            for referral in referrals
            if can_see_personal_data(user, referral)
        ]
    )


def referrals_export_record(*, user: User, referral_ids: Iterable[int]) -> None:
    """Writes that `user` exported the personal data of `referral_ids` for the person's
    access request (backend.privacy), whatever `user`'s role: a coordinator handling the
    request reads the data too. One INSERT."""
    AccessLog.objects.bulk_create(
        [
            AccessLog(referral_id=pk, user=user, action=AccessLog.Action.EXPORT)
            for pk in referral_ids
        ]
    )
