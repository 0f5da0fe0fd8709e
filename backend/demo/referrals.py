"""Six months of demo referrals over the seeded capteurs (fake people only).

Every referral goes through the real services (intake, routing, attempts, status moves,
orientations), so statuses, events and due dates are the real ones; only their times are moved
into the past afterwards (demo-only backdating, plain queryset updates).

Each capteur's referral dates follow the activity the capteur seed planned: the latest one is
the capteur's `last_referral_at`, so active, dormant and new capteurs stay what they were.
"""

import datetime
import random
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from faker import Faker

from backend.capteurs.models import Capteur, ReferralCode
from backend.core.calendar import add_working_days
from backend.notifications.models import Notification
from backend.referrals.enums import (
    AttemptKind,
    AttemptOutcome,
    Channel,
    ClosingReason,
    EventKind,
    FilledBy,
    OrientationOutcome,
    Status,
)
from backend.referrals.models import ContactAttempt, Orientation, Referral, ReferralEvent
from backend.referrals.services import intake, triage
from backend.structures.enums import Need
from backend.structures.models import Structure

HISTORY_DAYS = 183
CHANNELS = [Channel.QR] * 6 + [Channel.LINK] * 2 + [Channel.CAPTEUR_SPACE] * 2 + [Channel.SMS]
NEEDS_BY_WEIGHT = (
    [Need.EMPLOI] * 5
    + [Need.LOGEMENT] * 3
    + [Need.DEMARCHES] * 3
    + [Need.BUDGET] * 2
    + [Need.ISOLEMENT] * 2
    + [Need.MOBILITE] * 2
    + [Need.SANTE, Need.FORMATION, Need.HANDICAP, Need.AUTRE]
)
NOTES = (
    "",
    "",
    "",
    "Je préfère être appelé après 17 h.",
    "Je n'ai plus de voiture depuis cet été.",
    "C'est le patron du bar qui m'a dit de remplir.",
    "J'ai reçu une lettre que je ne comprends pas.",
    "Je cherche du travail dans le coin.",
)
# ARCEP's fiction range (05 36 49 xx xx): valid numbers that ring nobody.
PHONE_PREFIX = "+3353649"


@dataclass
class Story:
    """What happened after the referral, decided from its age."""

    attempts: list[AttemptOutcome]  # in order
    final_status: str
    closing_reason: str = ""
    orientation_outcome: str = ""


def _story(age_days: int, rng: random.Random) -> Story:
    if age_days <= 3 and rng.random() < 0.7:
        return Story([], Status.NEW)  # fresh, or overdue when past its due date
    if rng.random() < 0.12:
        misses = [AttemptOutcome.NO_ANSWER, AttemptOutcome.MESSAGE_LEFT, AttemptOutcome.NO_ANSWER]
        if age_days < 20:
            return Story(misses, Status.NEW)  # unreachable suggested, not closed yet
        return Story(misses, Status.CLOSED, ClosingReason.UNREACHABLE)
    attempts = [AttemptOutcome.NO_ANSWER] * rng.choice((0, 0, 1, 2)) + [AttemptOutcome.REACHED]
    roll = rng.random()
    if age_days < 10:
        return Story(attempts, rng.choice((Status.CONTACTED, Status.MET)))
    if roll < 0.1:
        return Story(attempts, Status.CLOSED, ClosingReason.DECLINED)
    if roll < 0.15:
        return Story(attempts, Status.CLOSED, ClosingReason.OUT_OF_SCOPE)
    if roll < 0.3:
        return Story(attempts, Status.MET)
    outcome = rng.choice(
        (OrientationOutcome.PROPOSED, OrientationOutcome.ACCEPTED, OrientationOutcome.STARTED)
        if age_days < 45
        else (OrientationOutcome.STARTED, OrientationOutcome.STARTED, OrientationOutcome.REFUSED)
    )
    if age_days > 60 and outcome == OrientationOutcome.STARTED and rng.random() < 0.6:
        return Story(attempts, Status.CLOSED, ClosingReason.ACCOMPANIED, outcome)
    return Story(attempts, Status.ORIENTED, orientation_outcome=outcome)


def _referral_dates(capteur, rng, now):
    """Referral times of `capteur`: its last one at `last_referral_at`, the rest before."""
    last = capteur.last_referral_at
    if last is None or (now - last).days > HISTORY_DAYS:
        return []
    earliest = now - datetime.timedelta(days=HISTORY_DAYS)
    if capteur.signed_on:
        signed = datetime.datetime.combine(
            capteur.signed_on, datetime.time(9), tzinfo=timezone.get_current_timezone()
        )
        earliest = max(earliest, signed)
    span = max((last - earliest).total_seconds(), 0)
    count = rng.randint(2, 9) if (now - last).days < 90 else rng.randint(0, 2)
    earlier = sorted(
        earliest + datetime.timedelta(seconds=rng.uniform(0, span)) for _ in range(count)
    )
    dates = [_working_hours(at, rng) for at in earlier] + [last]
    if (now - last).days < 90:
        # Active capteurs keep sending: this week's referrals fill the facilitators' inboxes.
        dates += sorted(
            min(now - datetime.timedelta(days=rng.uniform(0, 6)), now)
            for _ in range(rng.choice((0, 1, 1, 2)))
        )
    return dates


def _working_hours(at, rng):
    local = timezone.localtime(at)
    return local.replace(hour=rng.randint(8, 19), minute=rng.randrange(60))


class _Backdater:
    """Moves the rows the services wrote "now" to the demo's past, one step at a time."""

    def __init__(self, referral):
        self.referral = referral
        self.seen_event = 0
        self.seen_attempt = 0

    def stamp(self, at):
        events = ReferralEvent.objects.filter(referral=self.referral, id__gt=self.seen_event)
        last = events.order_by("-id").values_list("id", flat=True).first()
        if last:
            events.update(at=at)
            self.seen_event = last
        attempts = ContactAttempt.objects.filter(referral=self.referral, id__gt=self.seen_attempt)
        last = attempts.order_by("-id").values_list("id", flat=True).first()
        if last:
            attempts.update(at=at)
            self.seen_attempt = last


def _submit(code, *, rng, fake, index):
    filled_by = FilledBy.CAPTEUR if rng.random() < 0.2 else FilledBy.PERSON
    channel = Channel.CAPTEUR_SPACE if filled_by == FilledBy.CAPTEUR else rng.choice(CHANNELS)
    email_only = rng.random() < 0.05
    submission = intake.Submission(
        first_name=fake.first_name(),
        phone="" if email_only else f"{PHONE_PREFIX}{index:04d}",
        email=f"demo.{index}@example.org" if email_only else "",
        call_moments=rng.sample(["morning", "midday", "afternoon", "evening"], rng.randint(0, 2)),
        needs=sorted(set(rng.sample(NEEDS_BY_WEIGHT, rng.randint(1, 3)))),
        note=rng.choice(NOTES),
        filled_by=filled_by,
        channel=channel,
        consent=True,
    )
    return intake.referral_submit(code=code, submission=submission).referral


def _play(referral, story, *, rng, at, now, structures):
    """Plays `story` through the triage services, stamping each step in the past."""
    actor = referral.assigned_to
    clock = _Backdater(referral)
    clock.stamp(at)
    step = at
    for outcome in story.attempts:
        step = min(step + datetime.timedelta(hours=rng.randint(3, 40)), now)
        kind = AttemptKind.CALL if rng.random() < 0.8 else AttemptKind.SMS
        triage.referral_log_attempt(referral=referral, kind=kind, outcome=outcome, actor=actor)
        clock.stamp(step)
    first_contact = step if AttemptOutcome.REACHED in story.attempts else None
    path = {
        Status.NEW: [],
        Status.CONTACTED: [],
        Status.MET: [Status.MET],
        Status.ORIENTED: [Status.MET],
        Status.CLOSED: [Status.MET] if story.orientation_outcome else [],
    }[story.final_status]
    for status in path:
        step = min(step + datetime.timedelta(days=rng.randint(2, 9)), now)
        triage.referral_move_status(referral=referral, to_status=status, actor=actor)
        clock.stamp(step)
    if story.orientation_outcome:
        candidates = [s for s in structures if set(s.needs) & set(referral.needs)] or structures
        step = min(step + datetime.timedelta(days=rng.randint(1, 7)), now)
        orientation = triage.referral_orient(
            referral=referral, structure_id=rng.choice(candidates).pk, actor=actor
        )
        clock.stamp(step)
        Orientation.objects.filter(pk=orientation.pk).update(created_at=step, updated_at=step)
        if story.orientation_outcome != OrientationOutcome.PROPOSED:
            step = min(step + datetime.timedelta(days=rng.randint(3, 20)), now)
            triage.orientation_update_outcome(
                orientation=orientation, outcome=story.orientation_outcome, actor=actor
            )
            clock.stamp(step)
            Orientation.objects.filter(pk=orientation.pk).update(updated_at=step)
    closed_at = None
    if story.final_status == Status.CLOSED:
        step = closed_at = min(step + datetime.timedelta(days=rng.randint(1, 30)), now)
        triage.referral_move_status(
            referral=referral,
            to_status=Status.CLOSED,
            closing_reason=story.closing_reason,
            actor=actor,
        )
        clock.stamp(step)
    territory = referral.territory
    moved_at = {
        event.payload.get("to"): event.at
        for event in referral.events.filter(kind=EventKind.STATUS_CHANGED)
    }
    Referral.objects.filter(pk=referral.pk).update(
        created_at=at,
        updated_at=step,
        consent_at=at,
        first_contact_due_on=add_working_days(
            timezone.localdate(at), territory.first_contact_working_days
        ),
        first_contacted_at=first_contact,
        met_at=moved_at.get(Status.MET.value),
        oriented_at=moved_at.get(Status.ORIENTED.value),
        closed_at=closed_at,
    )


def seed_referrals(territory, *, seed="relais-demo") -> int:
    """Six months of referrals for `territory`, once: does nothing if it has any already.

    Returns the number of referrals created.
    """
    if Referral.objects.filter(territory=territory).exists():
        return 0
    now = timezone.now()
    fake = Faker("fr_FR")
    fake.seed_instance(f"{seed}:referrals")
    structures = list(Structure.objects.filter(territory=territory, is_active=True))
    capteurs = Capteur.objects.filter(territory=territory).order_by("name")
    created = 0
    for capteur in capteurs:
        rng = random.Random(f"{seed}:referrals:{capteur.name}")  # noqa: S311 - demo data
        codes = list(ReferralCode.objects.filter(capteur=capteur).order_by("created_at", "id"))
        if not codes:
            continue
        for at in _referral_dates(capteur, rng, now):
            code = next((c for c in reversed(codes) if c.created_at <= at), codes[0])
            if not code.is_active:
                # A poster replaced since: the referral came through the old code, which
                # the intake refuses today. Demo-only: submit through the current one.
                if not codes[-1].is_active:
                    continue
                code = codes[-1]
            created += 1
            referral = _submit(code, rng=rng, fake=fake, index=created)
            _play(
                referral,
                _story((now - at).days, rng),
                rng=rng,
                at=at,
                now=now,
                structures=structures,
            )
    # The services wrote the SMS these referrals caused, as if sent today, to fiction-range
    # landlines (so: refused). They belong to no demo story: drop them (demo-only).
    Notification.objects.filter(referral__territory=territory).delete()
    # The intake stamped "now" as each capteur's last referral: put back the real dates.
    for capteur_id, last in (
        Referral.objects.filter(territory=territory)
        .values("capteur_id")
        .annotate(last=Max("created_at"))
        .values_list("capteur_id", "last")
    ):
        Capteur.objects.filter(pk=capteur_id).update(last_referral_at=last)
    return created
