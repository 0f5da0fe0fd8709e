"""The referral stream of a generated dataset: when people were sent, by whom, and what
became of them, then everything their life wrote (events, contact attempts, orientations,
outbox rows, landing page scans).

`ReferralStream.rows()` yields the referral rows in time order (ids grow with time, as in
production) and keeps a few compact columns (`array`s: a million referrals hold in ~100 MB)
that the other tables are drawn from afterwards, in the same order, from the same random
generator: the dataset depends on the seed alone (and on `now`).
"""

import datetime
import json
import random
from array import array
from collections import Counter, deque
from collections.abc import Iterator

from backend.core.calendar import add_working_days
from backend.demo.dataset import vocabulary as v
from backend.demo.dataset.network import DAY, CapteurPlan, Clock, Ids, TerritoryPlan, fake_mobile
from backend.notifications.enums import Channel as NotificationChannel
from backend.notifications.enums import NotificationStatus, Sender
from backend.referrals.enums import (
    AttemptKind,
    AttemptOutcome,
    Channel,
    ClosingReason,
    EventKind,
    OrientationOutcome,
    ReferralTemplate,
    Status,
)
from backend.referrals.privacy import PRIVACY_NOTICE_VERSION
from backend.structures.enums import Need

NEW, CONTACTED, MET, ORIENTED, CLOSED = (
    Status.NEW,
    Status.CONTACTED,
    Status.MET,
    Status.ORIENTED,
    Status.CLOSED,
)
# The ways a referral's life goes, as the statuses it moved to after `new` (every move is an
# event, as in backend.referrals.services.triage) and the closing reason.
PATHS = (
    ((), ""),
    ((CONTACTED,), ""),
    ((CONTACTED, MET), ""),
    ((CONTACTED, ORIENTED), ""),
    ((CONTACTED, MET, ORIENTED), ""),
    ((CONTACTED, MET, ORIENTED, CLOSED), ClosingReason.ACCOMPANIED),
    ((CONTACTED, ORIENTED, CLOSED), ClosingReason.ACCOMPANIED),
    ((CONTACTED, CLOSED), ClosingReason.DECLINED),
    ((CONTACTED, CLOSED), ClosingReason.OUT_OF_SCOPE),
    ((CLOSED,), ClosingReason.UNREACHABLE),
    ((CLOSED,), ClosingReason.DUPLICATE),
)
P_NEW, P_CONTACTED, P_MET, P_ORIENTED, P_ORIENTED_MET = range(5)
P_ACCOMPANIED, P_ACCOMPANIED_DIRECT, P_DECLINED, P_OUT_OF_SCOPE, P_UNREACHABLE, P_DUPLICATE = range(
    5, 11
)
CLOSED_PATHS = {
    ClosingReason.ACCOMPANIED: (P_ACCOMPANIED, P_ACCOMPANIED_DIRECT),
    ClosingReason.DECLINED: (P_DECLINED,),
    ClosingReason.OUT_OF_SCOPE: (P_OUT_OF_SCOPE,),
    ClosingReason.UNREACHABLE: (P_UNREACHABLE,),
    ClosingReason.DUPLICATE: (P_DUPLICATE,),
}
# Where referrals stand by age (the funnel): weights of new, contacted, met, oriented, closed.
FUNNEL = (
    (2, (70, 22, 3, 0, 5)),
    (14, (15, 35, 20, 12, 18)),
    (60, (3, 10, 14, 28, 45)),
    (None, (1, 2, 3, 8, 86)),
)
DUPLICATE_WINDOW = 30 * DAY
DUPLICATE_RATE = 0.03
EMAIL_ONLY_RATE = 0.05
UNASSIGNED_RATE = 0.02  # of referrals still new: nobody was available


def json_text(value) -> str:
    """JSON as COPY takes it for a json column: its text."""
    return json.dumps(value, ensure_ascii=False)


class ReferralStream:
    """Plans `count` referrals over the capteurs' sending windows, then yields their rows."""

    def __init__(
        self,
        *,
        capteurs: list[CapteurPlan],
        territories: list[TerritoryPlan],
        count: int,
        retention_days: int,
        clock: Clock,
        ids: Ids,
        rng: random.Random,
    ):
        self.clock = clock
        self.ids = ids
        self.rng = rng
        self.capteurs = capteurs
        self.territories = {t.id: t for t in territories}
        self.retention_days = retention_days
        self.first_id = ids.next["referral"]
        self._due_dates: dict[datetime.date, datetime.date] = {}
        senders = [c for c in capteurs if c.weight > 0 and c.sends_until > c.sends_from]
        if count and not senders:
            raise ValueError("No capteur sends anyone: generate more capteurs.")
        # Each referral's capteur (weighted by how much it sends and for how long) and time.
        cumulative, total = [], 0.0
        for capteur in senders:
            total += capteur.weight * (capteur.sends_until - capteur.sends_from)
            cumulative.append(total)
        picks = rng.choices(range(len(senders)), cum_weights=cumulative, k=count) if count else []
        timeline = []
        for index in picks:
            capteur = senders[index]
            ts = capteur.sends_from + rng.random() * (capteur.sends_until - capteur.sends_from)
            # Daytime mostly: move the time of day into 7:00-21:00 UTC.
            ts = ts - ts % DAY + (7 + 14 * rng.random()) * 3600
            ts = min(max(ts, capteur.sends_from), clock.now - 60)
            timeline.append((ts, index))
        timeline.sort()
        self._timeline = timeline
        # Known before any row is drawn: the capteurs are written before their referrals.
        for ts, index in timeline:
            senders[index].last_referral = ts
        self._senders = senders
        ids.next["referral"] += count
        # Compact columns for the tables drawn after the referrals.
        self.created = array("d")
        self.contacted = array("d")  # 0: never reached
        self.last = array("d")  # the last move (closed_at when closed)
        self.path = array("b")
        self.no_answer = array("b")  # attempts that did not reach the person
        self.territory = array("q")
        self.capteur = array("q")
        self.code = array("q")
        self.assignee = array("q")  # 0: nobody
        self.channel = array("b")
        self.first_need = array("b")
        self.duplicate_of = array("q")  # 0: none
        self.phones: dict[int, str] = {}  # only those that differ from phone_of's default
        self.email_only: set[int] = set()
        self.anonymised: set[int] = set()
        # The latest referrals of each territory: where possible duplicates are found.
        self._recent: dict[int, deque] = {t.id: deque(maxlen=32) for t in territories}

    def __len__(self) -> int:
        return len(self._timeline)

    # --- helpers ----------------------------------------------------------------------

    def phone_of(self, referral_id: int) -> str:
        if referral_id in self.email_only or referral_id in self.anonymised:
            return ""
        return self.phones.get(referral_id) or fake_mobile(referral_id)

    def _due_on(self, ts: float) -> datetime.date:
        day = self.clock.local_date(ts)
        due = self._due_dates.get(day)
        if due is None:
            due = self._due_dates[day] = add_working_days(day, 2)
        return due

    def _path(self, age_days: float, duplicate: bool) -> int:
        rng = self.rng
        weights = next(w for limit, w in FUNNEL if limit is None or age_days < limit)
        status = rng.choices((NEW, CONTACTED, MET, ORIENTED, CLOSED), weights=weights)[0]
        if status == NEW:
            return P_NEW
        if status == CONTACTED:
            return P_CONTACTED
        if status == MET:
            return P_MET
        if status == ORIENTED:
            return P_ORIENTED if rng.random() < 0.6 else P_ORIENTED_MET
        if duplicate and rng.random() < 0.6:
            return P_DUPLICATE
        reason = rng.choices(list(v.CLOSING_REASONS), weights=list(v.CLOSING_REASONS.values()))
        return rng.choice(CLOSED_PATHS[reason[0]])

    def step_times(self, index: int) -> list[float]:
        """When referral `index` moved to each status of its path."""
        steps = PATHS[self.path[index]][0]
        if not steps:
            return []
        if steps[0] != CONTACTED:  # closed straight from new
            return [self.last[index]]
        first, last = self.contacted[index], self.last[index]
        if len(steps) == 1:
            return [first]
        return [first + (last - first) * k / (len(steps) - 1) for k in range(len(steps))]

    # --- referrals --------------------------------------------------------------------

    FIELDS = (
        "id",
        "created_at",
        "updated_at",
        "territory",
        "capteur",
        "code",
        "first_name",
        "phone",
        "email",
        "call_moments",
        "needs",
        "note",
        "consent_at",
        "consent_version",
        "filled_by",
        "channel",
        "idempotency_key",
        "idempotency_fingerprint",
        "assigned_to",
        "first_contact_due_on",
        "status",
        "closing_reason",
        "first_contacted_at",
        "met_at",
        "oriented_at",
        "closed_at",
        "unanswered_attempts",
        "possible_duplicate_of",
        "anonymised_at",
    )

    def _contact(self, referral_id: int, territory_id: int, ts: float) -> tuple[str, str, int]:
        """(phone, email, id of the referral it may duplicate or 0). A phone already seen in
        the territory within 30 days is flagged as a possible duplicate, never merged."""
        rng = self.rng
        duplicate_of = 0
        window = self._recent[territory_id]
        if window and rng.random() < DUPLICATE_RATE:
            candidates = [rid for rid, when in window if when >= ts - DUPLICATE_WINDOW]
            if candidates:
                duplicate_of = rng.choice(candidates)
        window.append((referral_id, ts))
        if duplicate_of:
            phone = self.phone_of(duplicate_of)
            if phone:
                self.phones[referral_id] = phone
                return phone, "", duplicate_of
            self.email_only.add(referral_id)
            return "", f"personne.{duplicate_of}@example.org", duplicate_of
        if rng.random() < EMAIL_ONLY_RATE:
            self.email_only.add(referral_id)
            return "", f"personne.{referral_id}@example.org", 0
        email = f"personne.{referral_id}@example.org" if rng.random() < 0.1 else ""
        return fake_mobile(referral_id), email, 0

    def _life(self, ts: float, duplicate: bool) -> tuple[int, float, float, int]:
        """What became of a referral made at `ts`: (path, first contact time or 0, time of
        the last move or 0, attempts that did not reach the person)."""
        rng, now = self.rng, self.clock.now
        age_days = (now - ts) / DAY
        path = self._path(age_days, duplicate)
        steps, reason = PATHS[path]
        if steps and steps[0] == CONTACTED:
            delay = min(rng.expovariate(1 / (1.2 * DAY)), (now - ts) * 0.5)
            contacted = ts + max(delay, 600.0)
            span = rng.uniform(3, 100) * DAY if reason else rng.uniform(1, 30) * DAY
            last = contacted if len(steps) == 1 else contacted + min(span, (now - contacted) * 0.9)
            return path, contacted, last, 1 if rng.random() < 0.3 else 0
        if steps:  # closed straight from new
            last = ts + min(rng.uniform(2, 20) * DAY, (now - ts) * 0.9)
            return path, 0.0, last, 3 if reason == ClosingReason.UNREACHABLE else 0
        return path, 0.0, 0.0, rng.choice((0, 0, 1, 1, 2, 3)) if age_days > 1 else 0

    def _assignee(self, capteur: CapteurPlan, status: str) -> int | None:
        """The capteur's référent mostly, else a colleague; nobody for a few new ones."""
        rng = self.rng
        if status == NEW and rng.random() < UNASSIGNED_RATE:
            return None
        if capteur.referent and rng.random() < 0.97:
            return capteur.referent
        return rng.choice(capteur.territory.facilitators)

    def rows(self) -> Iterator[tuple]:
        """The referral rows, oldest first; fills the compact columns as it goes."""
        rng, at = self.rng, self.clock.at
        channels = list(v.CHANNELS)
        channel_weights = list(v.CHANNELS.values())
        channel_index = {channel: i for i, (_by, channel) in enumerate(channels)}
        needs, need_weights = list(v.NEEDS), list(v.NEEDS.values())
        need_index = {need: i for i, need in enumerate(Need.values)}
        needs_json: dict[tuple, str] = {}
        moments_json = [
            json_text(list(v.CALL_MOMENTS[i : i + n])) for i in range(3) for n in (1, 2)
        ]
        retention_limit = self.clock.now - self.retention_days * DAY
        for offset, (ts, sender) in enumerate(self._timeline):
            referral_id = self.first_id + offset
            capteur = self._senders[sender]
            territory = capteur.territory
            code = capteur.code_at(ts)
            filled_by, channel = rng.choices(channels, weights=channel_weights)[0]
            phone, email, duplicate_of = self._contact(referral_id, territory.id, ts)
            path, contacted, last, no_answer = self._life(ts, bool(duplicate_of))
            steps, reason = PATHS[path]
            status = steps[-1] if steps else NEW
            assignee = self._assignee(capteur, status)
            need_count = 1 if rng.random() < 0.6 else rng.choice((2, 2, 3))
            chosen = tuple(dict.fromkeys(rng.choices(needs, weights=need_weights, k=need_count)))
            needs_value = needs_json.get(chosen)
            if needs_value is None:
                needs_value = needs_json[chosen] = json_text(list(chosen))
            first_name = rng.choice(v.FIRST_NAMES)
            note = rng.choice(v.NOTES) if rng.random() < 0.3 else ""
            anonymised_at = None
            if status == CLOSED and last < retention_limit:
                anonymised_at = at(last + self.retention_days * DAY)
                first_name, phone, email, note = "", "", "", ""
                self.anonymised.add(referral_id)
            created_at = at(ts)
            # Compact columns.
            self.created.append(ts)
            self.contacted.append(contacted)
            self.last.append(last or ts)
            self.path.append(path)
            self.no_answer.append(no_answer)
            self.territory.append(territory.id)
            self.capteur.append(capteur.id)
            self.code.append(code.id)
            self.assignee.append(assignee or 0)
            self.channel.append(channel_index[channel])
            self.first_need.append(need_index[chosen[0]])
            self.duplicate_of.append(duplicate_of)
            moved_at = dict(zip(steps, self.step_times(offset), strict=True))
            yield (
                referral_id,
                created_at,
                at(last) if last else created_at,
                territory.id,
                capteur.id,
                code.id,
                first_name,
                phone,
                email,
                rng.choice(moments_json) if rng.random() < 0.5 else "[]",
                needs_value,
                note,
                created_at,
                PRIVACY_NOTICE_VERSION,
                filled_by,
                channel,
                None,
                "",
                assignee,
                self._due_on(ts),
                status,
                reason,
                at(contacted) if contacted else None,
                at(moved_at[MET]) if MET in moved_at else None,
                at(moved_at[ORIENTED]) if ORIENTED in moved_at else None,
                at(last) if status == CLOSED else None,
                0 if contacted else no_answer,
                duplicate_of or None,
                anonymised_at,
            )

    # --- what a referral's life wrote -------------------------------------------------
    # Each table below is drawn from the compact columns, in referral order. Choices that two
    # tables must agree on (an orientation's id, structure and outcome) are computed from the
    # referral's id, not drawn from the random generator.

    def _attempts(self, index: int) -> list[tuple[float, str]]:
        """Contact attempts of referral `index`: (time, outcome), oldest first."""
        created, path, no_answer = self.created[index], self.path[index], self.no_answer[index]
        steps = PATHS[path][0]
        if steps and steps[0] == CONTACTED:
            contacted = self.contacted[index]
            tried = [(created + (contacted - created) / 2, AttemptOutcome.NO_ANSWER)]
            return [*tried[:no_answer], (contacted, AttemptOutcome.REACHED)]
        end = self.last[index] if steps else self.clock.now
        return [
            (created + (end - created) * k / (no_answer + 1), AttemptOutcome.NO_ANSWER)
            for k in range(1, no_answer + 1)
        ]

    def _orientation(self, index: int, referral_id: int) -> tuple[int, str] | None:
        """(structure id, outcome) of referral `index`'s orientation, if it was oriented."""
        path = self.path[index]
        if ORIENTED not in PATHS[path][0]:
            return None
        territory = self.territories[self.territory[index]]
        need = Need.values[self.first_need[index]]
        covering = [sid for sid, needs in territory.structures if need in needs]
        structures = covering or [sid for sid, _needs in territory.structures]
        spread = referral_id * 2654435761 % 100  # a fixed hash: the same in every table
        structure = structures[spread % len(structures)]
        if PATHS[path][0][-1] == CLOSED:
            outcome = OrientationOutcome.STARTED if spread < 70 else OrientationOutcome.ACCEPTED
        else:
            outcome = (
                OrientationOutcome.PROPOSED
                if spread < 45
                else OrientationOutcome.ACCEPTED
                if spread < 80
                else OrientationOutcome.STARTED
                if spread < 92
                else OrientationOutcome.REFUSED
            )
        return structure, outcome

    def _referrals(self) -> Iterator[tuple[int, int]]:
        """(index, id) of every referral, in order."""
        for index in range(len(self.created)):
            yield index, self.first_id + index

    EVENT_FIELDS = ("id", "referral", "kind", "actor", "at", "payload")

    def event_rows(self) -> Iterator[tuple]:
        """The timeline: created, assigned (or unassigned), a duplicate flag, each attempt,
        each status move, the orientation: as backend.referrals.services write them."""
        take, at = self.ids.take, self.clock.at
        channels = list(v.CHANNELS)
        orientation_id = self.ids.next["orientation"]
        for index, referral_id in self._referrals():
            created = self.created[index]
            created_at = at(created)
            filled_by, channel = channels[self.channel[index]]
            assignee = self.assignee[index] or None
            yield (
                take("event"),
                referral_id,
                EventKind.CREATED,
                None,
                created_at,
                json_text({"channel": channel, "filled_by": filled_by}),
            )
            if assignee:
                yield (
                    take("event"),
                    referral_id,
                    EventKind.ASSIGNED,
                    None,
                    created_at,
                    json_text({"to": assignee}),
                )
            else:
                yield (take("event"), referral_id, EventKind.UNASSIGNED, None, created_at, "{}")
            if self.duplicate_of[index]:
                payload = json_text({"of": self.duplicate_of[index]})
                yield (
                    take("event"),
                    referral_id,
                    EventKind.DUPLICATE_FLAGGED,
                    None,
                    created_at,
                    payload,
                )
            for ts, outcome in self._attempts(index):
                payload = json_text({"kind": AttemptKind.CALL, "outcome": outcome})
                yield (
                    take("event"),
                    referral_id,
                    EventKind.CONTACT_ATTEMPT,
                    assignee,
                    at(ts),
                    payload,
                )
            steps, reason = PATHS[self.path[index]]
            previous = NEW
            for status, ts in zip(steps, self.step_times(index), strict=True):
                moved = {"from": previous, "to": status}
                if status == CLOSED:
                    moved["reason"] = reason
                yield (
                    take("event"),
                    referral_id,
                    EventKind.STATUS_CHANGED,
                    assignee,
                    at(ts),
                    json_text(moved),
                )
                if status == ORIENTED:
                    structure, outcome = self._orientation(index, referral_id)
                    payload = {
                        "orientation": orientation_id,
                        "structure": structure,
                        "outcome": outcome,
                    }
                    yield (
                        take("event"),
                        referral_id,
                        EventKind.ORIENTED,
                        assignee,
                        at(ts),
                        json_text(payload),
                    )
                    orientation_id += 1
                previous = status

    ATTEMPT_FIELDS = ("id", "referral", "kind", "outcome", "actor", "at")

    def attempt_rows(self) -> Iterator[tuple]:
        take, at = self.ids.take, self.clock.at
        for index, referral_id in self._referrals():
            actor = self.assignee[index] or None
            for ts, outcome in self._attempts(index):
                yield (take("attempt"), referral_id, AttemptKind.CALL, outcome, actor, at(ts))

    ORIENTATION_FIELDS = (
        "id",
        "created_at",
        "updated_at",
        "referral",
        "structure",
        "outcome",
        "created_by",
    )

    def orientation_rows(self) -> Iterator[tuple]:
        take, at = self.ids.take, self.clock.at
        for index, referral_id in self._referrals():
            orientation = self._orientation(index, referral_id)
            if orientation is None:
                continue
            steps = PATHS[self.path[index]][0]
            oriented_at = at(self.step_times(index)[steps.index(ORIENTED)])
            structure, outcome = orientation
            yield (
                take("orientation"),
                oriented_at,
                at(self.last[index]) if steps[-1] == CLOSED else oriented_at,
                referral_id,
                structure,
                outcome,
                self.assignee[index] or None,
            )

    NOTIFICATION_FIELDS = (
        "id",
        "territory",
        "referral",
        "channel",
        "template",
        "recipient",
        "sender",
        "body",
        "quiet_hours",
        "daily_capped",
        "attempts",
        "created_at",
        "enqueued_at",
        "sent_at",
        "status",
        "updated_at",
        "delivered_at",
        "provider_id",
        "provider_status",
        "last_error",
    )

    def notification_rows(self, users_phone: dict[int, str], coordinator_email: dict[int, str]):
        """The outbox rows a new referral writes: the facilitator's alert (or, unassigned,
        the coordinators' e-mail) and the person's acknowledgment SMS, delivered mostly."""
        rng, take, at = self.rng, self.ids.take, self.clock.at
        sms = NotificationChannel.SMS
        alpha = Sender.ALPHANUMERIC
        for index, referral_id in self._referrals():
            created = self.created[index]
            territory, assignee = self.territory[index], self.assignee[index]
            queued, sent, done = at(created), at(created + 2), at(created + 9)
            nid = take("notification")
            if assignee:
                message = (sms, ReferralTemplate.FACILITATOR_NEW_REFERRAL, users_phone[assignee])
                head = (nid, territory, referral_id, *message, alpha, v.FACILITATOR_ALERT_BODY)
                yield (*head, False, False, 1, queued, queued, sent, *_delivered(nid, done))
            else:
                email = coordinator_email[territory]
                message = (
                    NotificationChannel.EMAIL,
                    ReferralTemplate.COORDINATOR_UNASSIGNED,
                    email,
                )
                head = (nid, territory, referral_id, *message, "", v.FACILITATOR_ALERT_BODY)
                yield (*head, False, False, 1, queued, queued, sent, *_sent(sent))
            if referral_id in self.email_only:
                continue
            nid = take("notification")
            phone = self.phone_of(referral_id)  # blank once anonymised, as the referral
            message = (sms, ReferralTemplate.PERSON_ACKNOWLEDGMENT, phone)
            head = (nid, territory, referral_id, *message, alpha, v.ACKNOWLEDGMENT_BODY)
            outcome = _failed(nid, sent) if rng.random() < 0.05 else _delivered(nid, done)
            yield (*head, True, True, 1, queued, queued, sent, *outcome)

    SCAN_DAY_FIELDS = ("id", "code", "day", "source", "count")

    def scan_day_rows(self, capteurs: list[CapteurPlan]) -> Iterator[tuple]:
        """Landing page opens per code, day and source: one for each referral that came by QR
        code or link, more that did not convert, and a few on the posters of capteurs that
        never sent anyone. The codes' scan_count and last_scan_at are summed from these rows
        (see backend.demo.dataset.generate)."""
        rng, clock = self.rng, self.clock
        local_date = clock.local_date
        channels = list(v.CHANNELS)
        sources = {Channel.QR: 0, Channel.LINK: 1}
        names = (Channel.QR.value, Channel.LINK.value)
        scans: Counter = Counter()
        for index in range(len(self.created)):
            source = sources.get(channels[self.channel[index]][1])
            if source is None:
                continue
            day = local_date(self.created[index]).toordinal()
            code = self.code[index]
            # The person's own scan, and those of people who read the poster and left.
            scans[(code, day, source)] += 1 + rng.choice((0, 0, 1, 1, 2, 3))
        for capteur in capteurs:
            if capteur.signed is None or capteur.last_referral is not None:
                continue
            for code in capteur.codes:
                end = code.revoked or capteur.stopped or clock.now
                for _ in range(rng.randint(0, 8)):
                    day = local_date(rng.uniform(max(code.created, capteur.signed), end))
                    scans[(code.id, day.toordinal(), rng.randint(0, 1))] += 1
        take, fromordinal = self.ids.take, datetime.date.fromordinal
        for (code, day, source), count in sorted(scans.items()):
            yield take("scan_day"), code, fromordinal(day), names[source], count


# The end of an outbox row's life: status, updated_at, delivered_at, provider id and status,
# last error (NOTIFICATION_FIELDS).
def _delivered(nid: int, at: datetime.datetime) -> tuple:
    return (NotificationStatus.DELIVERED, at, at, f"SM{nid:032x}", "delivered", "")


def _sent(at: datetime.datetime) -> tuple:
    return (NotificationStatus.SENT, at, None, "", "", "")


def _failed(nid: int, at: datetime.datetime) -> tuple:
    error = "21614: not a mobile number"
    return (NotificationStatus.FAILED, at, None, f"SM{nid:032x}", "undelivered", error)
