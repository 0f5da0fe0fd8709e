"""A person's request about their data, step by step: search, export, erasure. Each step is a
PrivacyRequest row (the audit trail, with no phone or e-mail in clear); exports are also in the
referrals' audit log (AccessLog, action export); erasure goes through the one anonymisation
routine of referrals (backend.referrals.services.privacy).

Permissions are the callers' (backend.privacy.perms). Personal data never goes into logs.
"""

import logging

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Territory, User
from backend.notifications.services import notifications_forget
from backend.privacy import selectors
from backend.privacy.models import PrivacyRequest, contact_digest
from backend.referrals.enums import AnonymisationReason
from backend.referrals.models import Referral
from backend.referrals.services.audit import referrals_export_record
from backend.referrals.services.privacy import referrals_anonymise

logger = logging.getLogger(__name__)


@transaction.atomic
def privacy_request_search(
    *, user: User, territory: Territory, phone: str = "", email: str = ""
) -> PrivacyRequest:
    """Finds what `territory` holds on the person with `phone` (E.164) and/or `email`: their
    referrals, and the messages to that contact linked to no referral. Records the search
    (ids and keyed hashes of the contact only) and returns it."""
    request = PrivacyRequest.objects.create(
        kind=PrivacyRequest.Kind.SEARCH,
        territory=territory,
        requested_by=user,
        phone_digest=contact_digest(phone),
        email_digest=contact_digest(email),
        referral_ids=selectors.person_referral_ids(territory=territory, phone=phone, email=email),
        notification_ids=selectors.person_unlinked_message_ids(
            territory=territory, recipients=[phone, email.lower()]
        ),
        completed_at=timezone.now(),
    )
    logger.info("privacy search %s: %d referral(s) found", request.pk, len(request.referral_ids))
    return request


def _step(search: PrivacyRequest, *, kind: str, user: User) -> PrivacyRequest:
    return PrivacyRequest.objects.create(
        kind=kind,
        territory_id=search.territory_id,
        requested_by=user,
        search=search,
        phone_digest=search.phone_digest,
        email_digest=search.email_digest,
        referral_ids=search.referral_ids,
        notification_ids=search.notification_ids,
        completed_at=timezone.now(),
    )


@transaction.atomic
def privacy_request_export(
    *, user: User, search: PrivacyRequest, referrals: list[Referral]
) -> PrivacyRequest:
    """Records that `user` exported what `search` found (`referrals`, as read for the export):
    a PrivacyRequest row, and an AccessLog row (export) per referral still holding personal
    data."""
    referrals_export_record(
        user=user, referral_ids=[r.pk for r in referrals if r.anonymised_at is None]
    )
    request = _step(search, kind=PrivacyRequest.Kind.EXPORT, user=user)
    logger.info("privacy export %s of search %s", request.pk, search.pk)
    return request


@transaction.atomic
def privacy_request_erase(*, user: User, search: PrivacyRequest) -> PrivacyRequest:
    """Erases what `search` found, at once: anonymises every referral (the same routine as
    the retention job: the person's data goes, the counts stay) and blanks the messages to the
    contact linked to no referral. SMS opt-outs stay (STOP must be honoured for good).
    Idempotent: what is already anonymised is left as it is. Returns the erasure's row."""
    count = referrals_anonymise(
        referral_ids=search.referral_ids, actor=user, reason=AnonymisationReason.ERASURE
    )
    notifications_forget(notification_ids=search.notification_ids)
    request = _step(search, kind=PrivacyRequest.Kind.ERASURE, user=user)
    logger.info("privacy erasure %s of search %s: %d referral(s)", request.pk, search.pk, count)
    return request
