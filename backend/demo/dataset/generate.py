"""Writes a generated dataset, table by table, with COPY (see backend.demo.dataset).

Each table is one COPY in its own transaction, so that foreign keys are checked as each
table is written and not all at the end; an interrupted run leaves a partial dataset, which
`generate_dataset --flush` replaces.
"""

import datetime
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from backend.accounts.models import Membership, Territory, User
from backend.capteurs.enums import Stage, SummaryChannel
from backend.capteurs.models import Capteur, CodeScanDay, ReferralCode, StageChange
from backend.demo.dataset import vocabulary as v
from backend.demo.dataset.network import (
    DAY,
    CapteurPlan,
    Clock,
    CodeFactory,
    Ids,
    TerritoryPlan,
    UserPlan,
    fake_landline,
    fake_staff_mobile,
    plan_capteurs,
    plan_staff,
    plan_structures,
    plan_visits,
)
from backend.demo.dataset.pg import analyze, copy_rows, max_id, sequences_reset
from backend.demo.dataset.referrals import ReferralStream, json_text
from backend.notifications.models import Notification
from backend.referrals.models import ContactAttempt, Orientation, Referral, ReferralEvent
from backend.referrals.services.daily import referral_days_roll_up
from backend.structures.models import Structure
from backend.visits.enums import VisitEventKind, VisitStatus
from backend.visits.models import Visit, VisitEvent

# The id sequence of each table the generator writes (rows are COPYed with their ids).
TABLES: dict[str, type[models.Model]] = {
    "territory": Territory,
    "user": User,
    "membership": Membership,
    "structure": Structure,
    "capteur": Capteur,
    "stage_change": StageChange,
    "code": ReferralCode,
    "referral": Referral,
    "event": ReferralEvent,
    "attempt": ContactAttempt,
    "orientation": Orientation,
    "notification": Notification,
    "scan_day": CodeScanDay,
    "visit": Visit,
    "visit_event": VisitEvent,
}
VISIT_OUTCOMES = (
    "Affiche en place, le patron en parle à ses clients.",
    "Personne orienté ce mois-ci ; on a rappelé comment ça marche.",
    "Cartes reposées au comptoir.",
    "Nouvelle équipe : présentation refaite.",
)


@dataclass(frozen=True)
class Sizes:
    territories: int = 4
    capteurs: int = 2_000
    referrals: int = 100_000
    years: int = 2


def database_has_data() -> bool:
    """Whether the database already holds a network (or any staff account)."""
    return any(model.objects.exists() for model in (Territory, User, Capteur, Referral))


class Writer:
    """COPYs tables one by one and reports each one's row count and time."""

    def __init__(self, log: Callable[[str], None]):
        self.log = log
        self.counts: dict[str, int] = {}

    def __call__(self, label: str, model, fields, rows: Iterable[tuple]) -> int:
        started = time.monotonic()
        with transaction.atomic():
            count = copy_rows(model, fields, rows)
        self.report(label, count, started)
        self.counts[label] = count
        return count

    def report(self, label: str, count: int | None, started: float) -> None:
        rows = f"{count:>12,} rows" if count is not None else " " * 17
        self.log(f"  {label:<24}{rows}  {time.monotonic() - started:7.1f} s")


def generate_dataset(
    *,
    sizes: Sizes,
    seed: int,
    password: str | None = None,
    log: Callable[[str], None] = print,
    now: datetime.datetime | None = None,
) -> dict[str, int]:
    """Generates a network of `sizes` into the (PostgreSQL) database and returns the row
    count of each table. `password` is given to every generated staff account (else they
    cannot log in). Precondition: checked by the caller (PostgreSQL, empty or `--force`)."""
    rng = random.Random(seed)  # noqa: S311 - fake data, reproducible on purpose
    ids = Ids({key: max_id(model) + 1 for key, model in TABLES.items()})
    suffix = f"r{ids.next['territory']}" if ids.next["territory"] > 1 else ""
    clock = Clock(now=(now or timezone.now()).timestamp(), tz=timezone.get_current_timezone())
    start = clock.now - sizes.years * 365 * DAY
    taken = set(ReferralCode.objects.values_list("short_code", flat=True))
    codes = CodeFactory(random.Random(f"{seed}:{ids.next['code']}"), taken)  # noqa: S311
    write = Writer(log)

    started = time.monotonic()
    territories, users = plan_staff(
        territories=sizes.territories, capteurs=sizes.capteurs, ids=ids, rng=rng, suffix=suffix
    )
    plan_structures(territories, ids)
    capteurs = plan_capteurs(
        territories=territories,
        count=sizes.capteurs,
        start=start,
        clock=clock,
        ids=ids,
        rng=rng,
        codes=codes,
    )
    plan_visits(capteurs, clock=clock, ids=ids, rng=rng)
    stream = ReferralStream(
        capteurs=capteurs,
        territories=territories,
        count=sizes.referrals,
        retention_days=Territory._meta.get_field("retention_months").default * 30,
        clock=clock,
        ids=ids,
        rng=rng,
    )
    write.report("(planning)", None, started)

    start_at = clock.at(start - 30 * DAY)
    write("territories", Territory, *_territories(territories, clock, start_at))
    write("users", User, *_users(users, password, start_at))
    write("memberships", Membership, *_memberships(users, start_at, ids))
    write("structures", Structure, *_structures(territories, start_at, rng))
    write("capteurs", Capteur, *_capteurs(capteurs, clock, rng, codes))
    write("stage changes", StageChange, *_stage_changes(capteurs, clock, ids))
    write("referral codes", ReferralCode, *_codes(capteurs, clock))
    write("referrals", Referral, ReferralStream.FIELDS, stream.rows())
    write("referral events", ReferralEvent, ReferralStream.EVENT_FIELDS, stream.event_rows())
    write("contact attempts", ContactAttempt, ReferralStream.ATTEMPT_FIELDS, stream.attempt_rows())
    write("orientations", Orientation, ReferralStream.ORIENTATION_FIELDS, stream.orientation_rows())
    phones = {user.id: user.phone for user in users}
    coordinator_emails = {
        t.id: next(u.email for u in users if u.id == t.coordinators[0]) for t in territories
    }
    write(
        "notifications",
        Notification,
        ReferralStream.NOTIFICATION_FIELDS,
        stream.notification_rows(phones, coordinator_emails),
    )
    write(
        "code scan days",
        CodeScanDay,
        ReferralStream.SCAN_DAY_FIELDS,
        stream.scan_day_rows(capteurs),
    )
    write("visits", Visit, *_visits(capteurs, clock, rng))
    write("visit events", VisitEvent, *_visit_events(capteurs, clock, ids))

    started = time.monotonic()
    _sum_scans_into_codes(first_code_id=min(c.codes[0].id for c in capteurs) if capteurs else 0)
    sequences_reset(list(TABLES.values()))
    write.report("(codes' scan counts)", None, started)
    started = time.monotonic()
    # The dashboard's daily roll-up of the generated territories, as the nightly job leaves it.
    referral_days_roll_up(today=clock.today, territory_ids=[t.id for t in territories])
    write.report("(daily roll-up)", None, started)
    started = time.monotonic()
    analyze(list(TABLES.values()))
    write.report("(vacuum, analyze)", None, started)
    return write.counts


# --- the small tables ---------------------------------------------------------------------


def _territories(territories: list[TerritoryPlan], clock: Clock, created):
    fields = ("id", "created_at", "updated_at", "name", "slug", "contact_phone", "sms_number")
    fields += ("contact_email", "round_start_latitude", "round_start_longitude")
    rows = [
        (
            t.id,
            created,
            created,
            t.name,
            t.slug,
            fake_landline(t.id),
            fake_staff_mobile(900_000 + t.id),
            f"contact.{t.slug}@example.org",
            f"{t.towns[0].latitude:.6f}",
            f"{t.towns[0].longitude:.6f}",
        )
        for t in territories
    ]
    return fields, rows


def _users(users: list[UserPlan], password: str | None, joined):
    # One hash for all: hashing a password a thousand times would take minutes.
    encoded = make_password(password)
    fields = ("id", "password", "email", "first_name", "last_name", "phone", "date_joined")
    rows = [(u.id, encoded, u.email, u.first_name, u.last_name, u.phone, joined) for u in users]
    return fields, rows


def _memberships(users: list[UserPlan], created, ids: Ids):
    fields = ("id", "created_at", "updated_at", "user", "territory", "role")
    rows = [
        (ids.take("membership"), created, created, user.id, territory_id, role)
        for user in users
        for territory_id, role in user.memberships
    ]
    return fields, rows


def _structures(territories: list[TerritoryPlan], created, rng):
    fields = ("id", "created_at", "updated_at", "territory", "name", "kind", "needs", "phone")
    fields += ("email", "address", "postal_code", "city", "latitude", "longitude")
    rows = []
    for territory in territories:
        for (structure_id, _needs), (kind, name, needs) in zip(
            territory.structures, v.STRUCTURES, strict=True
        ):
            town = rng.choice(territory.towns)
            rows.append(
                (
                    structure_id,
                    created,
                    created,
                    territory.id,
                    f"{name} — {town.city}",
                    kind,
                    json_text(list(needs)),
                    fake_landline(5000 + structure_id),
                    f"accueil.{structure_id}@example.org",
                    f"{rng.randint(1, 40)} {rng.choice(v.STREETS)}",
                    town.postal_code,
                    town.city,
                    f"{town.latitude + rng.uniform(-0.004, 0.004):.6f}",
                    f"{town.longitude + rng.uniform(-0.005, 0.005):.6f}",
                )
            )
    return fields, rows


# --- capteurs, codes, visits --------------------------------------------------------------

CAPTEUR_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "territory",
    "name",
    "kind",
    "address",
    "postal_code",
    "city",
    "latitude",
    "longitude",
    "contact_name",
    "phone",
    "email",
    "referent",
    "stage",
    "first_contact_on",
    "signed_on",
    "last_referral_at",
    "last_visit_on",
    "summary_channel",
    "space_secret",
    "space_secret_issued_at",
)


def _capteurs(capteurs: list[CapteurPlan], clock: Clock, rng, codes: CodeFactory):
    def row(c: CapteurPlan):
        email = f"contact.{c.id}@example.org" if rng.random() < 0.3 else ""
        summary, secret, issued = SummaryChannel.NONE, None, None
        if c.stage == Stage.PARTNER and c.signed is not None:
            if rng.random() < 0.1:
                summary = SummaryChannel.EMAIL if email else SummaryChannel.SMS
            if rng.random() < 0.2:
                secret, issued = codes.token(), clock.at(c.signed + DAY)
        updated = max(t for t in (c.created, c.signed, c.stopped) if t is not None)
        return (
            c.id,
            clock.at(c.created),
            clock.at(updated),
            c.territory.id,
            c.name,
            c.kind,
            f"{rng.randint(1, 60)} {rng.choice(v.STREETS)}",
            c.town.postal_code,
            c.town.city,
            f"{c.town.latitude + rng.gauss(0, 0.006):.6f}",
            f"{c.town.longitude + rng.gauss(0, 0.008):.6f}",
            f"{rng.choice(v.FIRST_NAMES)} {rng.choice(v.LAST_NAMES)}",
            fake_landline(c.id),
            email,
            c.referent,
            c.stage,
            clock.local_date(c.first_contact),
            clock.local_date(c.signed) if c.signed is not None else None,
            clock.at(c.last_referral) if c.last_referral is not None else None,
            c.last_visit_on,
            summary,
            secret,
            issued,
        )

    return CAPTEUR_FIELDS, (row(c) for c in capteurs)


def _stage_changes(capteurs: list[CapteurPlan], clock: Clock, ids: Ids):
    fields = ("id", "capteur", "from_stage", "to_stage", "actor", "note", "at")

    def rows():
        for c in capteurs:
            if c.signed is not None:
                yield (
                    ids.take("stage_change"),
                    c.id,
                    Stage.PROSPECT,
                    Stage.PARTNER,
                    c.referent,
                    "",
                    clock.at(c.signed),
                )
            if c.stopped is not None:
                before = Stage.PARTNER if c.signed is not None else Stage.PROSPECT
                yield (
                    ids.take("stage_change"),
                    c.id,
                    before,
                    c.stage,
                    c.referent,
                    "",
                    clock.at(c.stopped),
                )

    return fields, rows()


def _codes(capteurs: list[CapteurPlan], clock: Clock):
    fields = ("id", "created_at", "updated_at", "capteur", "token", "short_code", "created_by")
    fields += ("revoked_at", "revoked_by")

    def rows():
        for c in capteurs:
            for code in c.codes:
                revoked = clock.at(code.revoked) if code.revoked is not None else None
                yield (
                    code.id,
                    clock.at(code.created),
                    revoked or clock.at(code.created),
                    c.id,
                    code.token,
                    code.short_code,
                    c.referent,
                    revoked,
                    c.referent if revoked else None,
                )

    return fields, rows()


def _visits(capteurs: list[CapteurPlan], clock: Clock, rng):
    fields = ("id", "created_at", "updated_at", "territory", "capteur", "facilitator", "kind")
    fields += ("status", "planned_on", "done_on", "outcome", "next_step", "auto_planned")

    def rows():
        for c in capteurs:
            for visit in c.visits:
                done = visit.status == VisitStatus.DONE
                yield (
                    visit.id,
                    clock.at(visit.created),
                    clock.at(visit.updated),
                    c.territory.id,
                    c.id,
                    visit.facilitator,
                    visit.kind,
                    visit.status,
                    visit.planned_on,
                    visit.done_on,
                    rng.choice(VISIT_OUTCOMES) if done else "",
                    "Repasser dans deux mois." if done and rng.random() < 0.3 else "",
                    visit.auto_planned,
                )

    return fields, rows()


def _visit_events(capteurs: list[CapteurPlan], clock: Clock, ids: Ids):
    fields = ("id", "visit", "kind", "actor", "at", "payload")

    def rows():
        for c in capteurs:
            for visit in c.visits:
                planner = None if visit.auto_planned else visit.facilitator
                planned = json_text({"planned_on": visit.planned_on.isoformat()})
                yield (
                    ids.take("visit_event"),
                    visit.id,
                    VisitEventKind.PLANNED,
                    planner,
                    clock.at(visit.created),
                    planned,
                )
                if visit.status == VisitStatus.DONE:
                    done = json_text({"done_on": visit.done_on.isoformat()})
                    yield (
                        ids.take("visit_event"),
                        visit.id,
                        VisitEventKind.DONE,
                        visit.facilitator,
                        clock.at(visit.updated),
                        done,
                    )
                elif visit.status == VisitStatus.CANCELLED:
                    yield (
                        ids.take("visit_event"),
                        visit.id,
                        VisitEventKind.CANCELLED,
                        visit.facilitator,
                        clock.at(visit.updated),
                        "{}",
                    )

    return fields, rows()


def _sum_scans_into_codes(*, first_code_id: int) -> None:
    """Each generated code's scan_count and last_scan_at, summed from its scan days (the
    last one at noon, local time)."""
    code = connection.ops.quote_name(ReferralCode._meta.db_table)
    scan = connection.ops.quote_name(CodeScanDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {code} AS c
            SET scan_count = s.total,
                last_scan_at = (s.last_day + TIME '12:00') AT TIME ZONE %s
            FROM (
                SELECT code_id, SUM("count") AS total, MAX(day) AS last_day
                FROM {scan} WHERE code_id >= %s GROUP BY code_id
            ) AS s
            WHERE c.id = s.code_id
            """,  # noqa: S608 - table names only
            [timezone.get_current_timezone_name(), first_code_id],
        )
