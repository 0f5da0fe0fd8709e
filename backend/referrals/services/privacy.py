"""Privacy of referred people: one anonymisation routine, behind the retention job, a person's
erasure request (backend.privacy) and the admin's "Anonymiser" action.

Anonymising a referral clears what identifies or describes the person and keeps what the
funders' indicators count:

- cleared: on the referral, the first name, phone, e-mail, note and call moments (and the
  idempotency fingerprint, a hash of them); the text of staff notes (the event rows stay);
  recipient, subject and body of the outbox rows linked to the referral and of those sent to
  the person's phone or e-mail with no link (backend.notifications.services.notifications_forget);
  the audit log rows of reads of the referral (who read the data of whom);
- kept: dates, status, closing reason, capteur, code, channel, who filled the form, needs,
  territory, assignee, consent timestamp and notice version, contact attempts, orientations,
  the timeline's event rows, and an `anonymised` event saying when and why;
- kept on purpose, outside the referral: SMS opt-outs (a number that texted STOP). Honouring
  STOP is a legal duty that outlives the person's data: forgetting the number would let
  Relais text it again.

Idempotent (anonymised referrals are skipped), in batches of ANONYMISE_BATCH referrals, one
transaction each. Logs counts only, never personal data.
"""

import calendar
import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from backend.accounts.models import Territory, User
from backend.notifications.services import notifications_forget
from backend.referrals.enums import AnonymisationReason, EventKind
from backend.referrals.models import AccessLog, Referral, ReferralEvent
from backend.referrals.selectors import referrals_past_retention

logger = logging.getLogger(__name__)

# Referrals anonymised per transaction: a night's backlog never holds long locks.
ANONYMISE_BATCH = 500


def referrals_anonymise(
    *, referral_ids: Iterable[int], actor: User | None, reason: AnonymisationReason
) -> int:
    """Anonymises the referrals `referral_ids` (see the module docstring for what is cleared
    and kept). `actor`: who asked (None for the retention job); `reason` goes into each
    referral's `anonymised` event.

    Referrals already anonymised are skipped; returns how many were anonymised now. Each
    batch of ANONYMISE_BATCH is atomic; inside a caller's transaction, all of it is.
    No permission check: callers (an API, the admin, the job) decide who may.
    """
    ids = sorted(set(referral_ids))
    done = 0
    for start in range(0, len(ids), ANONYMISE_BATCH):
        done += _anonymise_batch(ids[start : start + ANONYMISE_BATCH], actor=actor, reason=reason)
    if done:
        logger.info("%d referral(s) anonymised (%s)", done, reason)
    return done


@transaction.atomic
def _anonymise_batch(ids: list[int], *, actor: User | None, reason: str) -> int:
    referrals = list(
        Referral.objects.select_for_update()
        .filter(pk__in=ids, anonymised_at__isnull=True)
        .only("id", "territory_id", "phone", "email")
    )
    if not referrals:
        return 0
    ids = [referral.pk for referral in referrals]
    contacts = {str(r.phone) for r in referrals if r.phone} | {
        r.email for r in referrals if r.email
    }
    notifications_forget(
        referral_ids=ids,
        recipients=contacts,
        territory_ids={referral.territory_id for referral in referrals},
    )
    # A staff note may name the person or speak of their health: its text goes, the row stays.
    ReferralEvent.objects.filter(referral_id__in=ids, kind=EventKind.NOTE).update(
        payload={"text": ""}
    )
    AccessLog.objects.filter(referral_id__in=ids).delete()
    now = timezone.now()
    Referral.objects.filter(pk__in=ids).update(
        first_name="",
        phone="",
        email="",
        note="",
        call_moments=[],
        idempotency_key=None,
        idempotency_fingerprint="",
        anonymised_at=now,
        updated_at=now,
    )
    ReferralEvent.objects.bulk_create(
        [
            ReferralEvent(
                referral_id=pk, kind=EventKind.ANONYMISED, actor=actor, payload={"reason": reason}
            )
            for pk in ids
        ]
    )
    return len(ids)


def referrals_anonymise_expired(*, now: datetime.datetime | None = None) -> int:
    """The retention job: anonymises, in every territory, the referrals nothing happened to
    for the territory's `retention_months` (their last event, or their reception when they
    have none, is older than that). Returns how many were anonymised."""
    now = now or timezone.now()
    ids: list[int] = []
    for territory in Territory.objects.only("id", "retention_months"):
        before = months_before(now, territory.retention_months)
        ids += referrals_past_retention(territory=territory, before=before).values_list(
            "id", flat=True
        )
    return referrals_anonymise(referral_ids=ids, actor=None, reason=AnonymisationReason.RETENTION)


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same local time `months` calendar months before `moment` (clamped to the end of a
    shorter month: 31 March minus one month is 28 or 29 February)."""
    local = timezone.localtime(moment)
    year, month0 = divmod(local.year * 12 + local.month - 1 - months, 12)
    day = min(local.day, calendar.monthrange(year, month0 + 1)[1])
    naive = local.replace(tzinfo=None, year=year, month=month0 + 1, day=day)
    return timezone.make_aware(naive)
