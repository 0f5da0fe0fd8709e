"""What referrals send, to whom and when: the messages of a referral's life, written to the
outbox (backend.notifications) in the caller's transaction and delivered after commit.

- a new referral: the routed facilitator's alert (SMS, else e-mail) and the person's
  acknowledgment (an SMS in daytime hours, counted in the number's daily cap), or the
  coordinators' alert when no facilitator is available;
- a reassigned referral: the new facilitator's alert;
- an SMS with an unknown code: a helpful reply (capped, not held: the person just wrote);
- every morning: each coordinator's digest of overdue and unassigned referrals;
- every month: to the partner capteurs that asked for it, what became of the people they sent
  (counts only), or a gentle reminder to dormant ones.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.capteurs.enums import Activity, Stage, SummaryChannel
from backend.capteurs.models import Capteur, ReferralCode
from backend.capteurs.selectors import activity_expression
from backend.notifications.enums import Channel, Sender
from backend.notifications.models import Notification
from backend.notifications.services import notification_build, notifications_save
from backend.referrals import messages
from backend.referrals.enums import OPEN_STATUSES, ReferralTemplate
from backend.referrals.models import CapteurSummary, Referral
from backend.referrals.selectors import capteurs_outcomes, overdue_q


def notify_new_referral(
    referral: Referral, *, acknowledgment_sender: dict[str, str] | None = None
) -> list[Notification]:
    """The messages a new referral causes: the routed facilitator's alert, the person's
    acknowledgment (they consented by submitting), or the coordinators' alert when no
    facilitator is available. Call inside the referral's transaction.

    `acknowledgment_sender` (sender, sender_number): the acknowledgment leaves from the
    territory's two-way number, when the person texted it."""
    created = _assignee_alert(referral)
    if referral.phone and referral.consent_at:
        created.append(_person_acknowledgment(referral, **(acknowledgment_sender or {})))
    return notifications_save(created)


def notify_assignee(referral: Referral) -> list[Notification]:
    """A referral given to a (new) facilitator: they hear of it as of a new referral."""
    return notifications_save(_assignee_alert(referral))


def person_acknowledgment_create(referral: Referral) -> Notification:
    """The person's acknowledgment, again (after a facilitator corrected the number)."""
    return notifications_save([_person_acknowledgment(referral)])[0]


def unknown_code_reply_create(
    *, territory: Territory | None, person_number: str, network_number: str
) -> Notification:
    """The reply to `person_number`, whose SMS to `network_number` had no code we know;
    it leaves from that same number, so the person can answer it."""
    return notifications_save(
        [
            notification_build(
                channel=Channel.SMS,
                template=ReferralTemplate.INBOUND_REPLY,
                recipient=person_number,
                body=messages.inbound_reply_unknown_code(territory),
                territory=territory,
                sender=Sender.TWO_WAY,
                sender_number=network_number,
                daily_capped=True,
            )
        ]
    )[0]


def _assignee_alert(referral: Referral) -> list[Notification]:
    """The assignee's alert (SMS, else email), or the coordinators' when there is none."""
    facilitator = referral.assigned_to
    if facilitator is None:
        return _coordinators_unassigned(referral)
    if facilitator.phone:
        return [
            notification_build(
                channel=Channel.SMS,
                template=ReferralTemplate.FACILITATOR_NEW_REFERRAL,
                recipient=str(facilitator.phone),
                body=messages.facilitator_new_referral(referral),
                territory=referral.territory,
                referral_id=referral.pk,
            )
        ]
    if facilitator.email:
        # A facilitator with no mobile on file still hears of the referral.
        return [
            notification_build(
                channel=Channel.EMAIL,
                template=ReferralTemplate.FACILITATOR_NEW_REFERRAL,
                recipient=facilitator.email,
                subject=messages.facilitator_new_referral_subject(referral),
                body=messages.facilitator_new_referral(referral),
                territory=referral.territory,
                referral_id=referral.pk,
            )
        ]
    return []


def _person_acknowledgment(
    referral: Referral, *, sender: str = Sender.ALPHANUMERIC, sender_number: str = ""
) -> Notification:
    return notification_build(
        channel=Channel.SMS,
        template=ReferralTemplate.PERSON_ACKNOWLEDGMENT,
        recipient=str(referral.phone),
        body=messages.person_acknowledgment(referral),
        territory=referral.territory,
        referral_id=referral.pk,
        sender=sender,
        sender_number=sender_number,
        quiet_hours=True,
        daily_capped=True,
    )


def _coordinators_unassigned(referral: Referral) -> list[Notification]:
    subject, body = messages.coordinator_unassigned(referral)
    emails = User.objects.filter(
        is_active=True,
        memberships__territory=referral.territory,
        memberships__role=Role.COORDINATOR,
    ).values_list("email", flat=True)
    return [
        notification_build(
            channel=Channel.EMAIL,
            template=ReferralTemplate.COORDINATOR_UNASSIGNED,
            recipient=email,
            subject=subject,
            body=body,
            territory=referral.territory,
            referral_id=referral.pk,
        )
        for email in emails
    ]


def coordinator_digests_create(*, today: datetime.date) -> int:
    """One digest email per coordinator of each territory that has overdue or unassigned
    referrals today. Returns the number of emails written."""
    count = 0
    memberships = Membership.objects.filter(
        role=Role.COORDINATOR, user__is_active=True
    ).select_related("user", "territory")
    by_territory: dict[Territory, list[User]] = {}
    for membership in memberships:
        by_territory.setdefault(membership.territory, []).append(membership.user)
    for territory, coordinators in by_territory.items():
        referrals = Referral.objects.filter(territory=territory).select_related("assigned_to")
        overdue = list(referrals.filter(overdue_q(today)).order_by("first_contact_due_on"))
        unassigned = list(
            referrals.filter(assigned_to__isnull=True, status__in=OPEN_STATUSES).order_by("id")
        )
        if not overdue and not unassigned:
            continue
        subject, body = messages.coordinator_digest(
            territory, overdue=overdue, unassigned=unassigned
        )
        with transaction.atomic():
            notifications_save(
                [
                    notification_build(
                        channel=Channel.EMAIL,
                        template=ReferralTemplate.COORDINATOR_DIGEST,
                        recipient=coordinator.email,
                        subject=subject,
                        body=body,
                        territory=territory,
                    )
                    for coordinator in coordinators
                ]
            )
        count += len(coordinators)
    return count


def capteur_summaries_create(*, month: datetime.date) -> int:
    """The monthly summaries of `month` (its first day) to the partner capteurs that asked for
    one (`Capteur.summary_channel`): to those that sent people, how many came, were reached and
    oriented (counts only, a thank-you); to dormant ones that sent nobody, a gentle reminder
    instead; nothing to the others. Each is an outbox row and a CapteurSummary row, written
    together; a capteur already summarised for `month` is skipped, so running it twice sends
    nothing more. Returns the number of messages written."""
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(_next_month(month), datetime.time()))
    capteurs = list(
        Capteur.objects.filter(stage=Stage.PARTNER)
        .exclude(summary_channel=SummaryChannel.NONE)
        .exclude(summaries__month=month)
        .select_related("territory")
        .annotate(activity=activity_expression(Territory.objects.all(), now=end))
    )
    outcomes = capteurs_outcomes(capteur_ids=[c.pk for c in capteurs], start=start, end=end)
    short_codes = _latest_short_codes([c.pk for c in capteurs])
    count = 0
    for capteur in capteurs:
        counts = outcomes.get(capteur.pk)
        if counts is None and capteur.activity != Activity.DORMANT:
            continue
        recipient = _capteur_recipient(capteur)
        if not recipient:
            continue
        try:
            with transaction.atomic():
                _capteur_summary_write(
                    capteur,
                    month=month,
                    recipient=recipient,
                    counts=counts,
                    short_code=short_codes.get(capteur.pk, ""),
                )
        except IntegrityError:
            continue  # summarised meanwhile by another run
        count += 1
    return count


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _capteur_recipient(capteur: Capteur) -> str:
    if capteur.summary_channel == SummaryChannel.SMS:
        return str(capteur.phone) if capteur.phone else ""
    return capteur.email


def _latest_short_codes(capteur_ids: list[int]) -> dict[int, str]:
    """Each capteur's most recent active short code (one query)."""
    codes: dict[int, str] = {}
    for capteur_id, short_code in (
        ReferralCode.objects.filter(capteur_id__in=capteur_ids, revoked_at__isnull=True)
        .order_by("capteur_id", "-created_at", "-id")
        .values_list("capteur_id", "short_code")
    ):
        codes.setdefault(capteur_id, short_code)
    return codes


def _capteur_summary_write(
    capteur: Capteur,
    *,
    month: datetime.date,
    recipient: str,
    counts: dict[str, int] | None,
    short_code: str,
) -> CapteurSummary:
    reminder = counts is None
    counts = counts or {"sent": 0, "reached": 0, "oriented": 0}
    body = (
        messages.capteur_reminder(capteur, short_code=short_code)
        if reminder
        else messages.capteur_summary(capteur, month=month, **counts)
    )
    notification = notifications_save(
        [
            notification_build(
                channel=(
                    Channel.SMS if capteur.summary_channel == SummaryChannel.SMS else Channel.EMAIL
                ),
                template=(
                    ReferralTemplate.CAPTEUR_REMINDER
                    if reminder
                    else ReferralTemplate.CAPTEUR_SUMMARY
                ),
                recipient=recipient,
                subject=messages.capteur_summary_subject(capteur, month=month, reminder=reminder),
                body=body,
                territory=capteur.territory,
            )
        ]
    )[0]
    return CapteurSummary.objects.create(
        capteur=capteur,
        month=month,
        kind=CapteurSummary.Kind.REMINDER if reminder else CapteurSummary.Kind.SUMMARY,
        channel=capteur.summary_channel,
        notification=notification,
        **counts,
    )
