"""Celery tasks of referrals: thin, named, bounded; the work is in referrals.notifications and
referrals.services."""

import datetime

from celery import shared_task
from django.utils import timezone

from backend.referrals.notifications import capteur_summaries_create, coordinator_digests_create
from backend.referrals.services.daily import referral_days_roll_up
from backend.referrals.services.privacy import referrals_anonymise_expired


@shared_task(name="referrals.send_coordinator_digests", soft_time_limit=120, time_limit=150)
def send_coordinator_digests():
    """The daily email to each coordinator: overdue referrals, referrals with no facilitator."""
    return coordinator_digests_create(today=timezone.localdate())


@shared_task(name="referrals.send_capteur_summaries", soft_time_limit=300, time_limit=360)
def send_capteur_summaries():
    """On the first of the month: last month's summary to each partner capteur that wants one."""
    first_of_this_month = timezone.localdate().replace(day=1)
    last_month = (first_of_this_month - datetime.timedelta(days=1)).replace(day=1)
    return capteur_summaries_create(month=last_month)


# Bounded generously: a first run on years of data may have a backlog. Killed half-way, it
# loses nothing: each batch is committed, and the next night goes on (idempotent).
@shared_task(name="referrals.anonymise_expired", soft_time_limit=1800, time_limit=1900)
def anonymise_expired():
    """Every night: anonymises the referrals past their territory's retention period."""
    return referrals_anonymise_expired(now=timezone.now())


@shared_task(name="referrals.roll_up_days", soft_time_limit=1800, time_limit=1900)
def roll_up_days():
    """Every night: the referral figures of the days just over, per territory (the dashboard's
    summary reads them). The first run counts every day since the first referral."""
    return referral_days_roll_up(today=timezone.localdate())
