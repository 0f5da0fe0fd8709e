"""The network of a generated dataset, planned in memory before anything is written:
territories, staff, capteurs with their story (first contact, signature, pause or withdrawal,
when they send people), their codes and their visits.

Times are POSIX timestamps (floats) while planning: the referral stream draws millions of
them, and floats are what is cheap in Python. Ids are given here, from `Ids`, so that rows
point to each other without reading anything back from the database.
"""

import base64
import bisect
import datetime
import math
import random
from dataclasses import dataclass, field

from backend.accounts.enums import Role
from backend.capteurs.enums import Stage
from backend.capteurs.services import SHORT_CODE_ALPHABET
from backend.demo.dataset import vocabulary as v
from backend.visits.enums import VisitKind, VisitStatus

DAY = 86400.0
EMAIL_DOMAIN = "bench.relais.test"
# One facilitator for this many capteurs of a territory (at least two a territory).
CAPTEURS_PER_FACILITATOR = 150
TOKEN_BYTES = 24  # as backend.capteurs.services: 192 bits, 32 URL-safe characters


@dataclass
class Ids:
    """The next free id of each table (rows are COPYed with their ids)."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass
class Clock:
    """`now` and helpers between timestamps, aware datetimes and local dates."""

    now: float
    tz: datetime.tzinfo

    @property
    def today(self) -> datetime.date:
        return self.local_date(self.now)

    def local_date(self, ts: float) -> datetime.date:
        return datetime.datetime.fromtimestamp(ts, self.tz).date()

    def at(self, ts: float) -> datetime.datetime:
        return datetime.datetime.fromtimestamp(ts, datetime.UTC)

    def day_start(self, day: datetime.date) -> float:
        """A working-hours time on `day` (9:00 local): what a date-only event is shown at."""
        return datetime.datetime.combine(day, datetime.time(9), tzinfo=self.tz).timestamp()


@dataclass
class TerritoryPlan:
    id: int
    name: str
    slug: str
    towns: tuple[v.Town, ...]
    facilitators: list[int] = field(default_factory=list)  # user ids
    coordinators: list[int] = field(default_factory=list)
    structures: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # (id, needs)


@dataclass
class UserPlan:
    id: int
    email: str
    first_name: str
    last_name: str
    phone: str
    memberships: list[tuple[int, str]]  # (territory id, role)


@dataclass
class CodePlan:
    id: int
    created: float
    revoked: float | None
    token: str
    short_code: str
    scan_count: int = 0
    last_scan: float | None = None


@dataclass
class VisitPlan:
    id: int
    kind: str
    status: str
    planned_on: datetime.date
    done_on: datetime.date | None
    created: float
    updated: float
    auto_planned: bool
    facilitator: int | None


@dataclass
class CapteurPlan:
    id: int
    territory: TerritoryPlan
    kind: str
    name: str
    town: v.Town
    stage: str
    created: float
    first_contact: float
    signed: float | None
    stopped: float | None  # when it was paused or withdrawn
    # It sends people between these times (nobody when `sends_until <= sends_from`).
    sends_from: float
    sends_until: float
    weight: float
    referent: int | None
    codes: list[CodePlan] = field(default_factory=list)
    visits: list[VisitPlan] = field(default_factory=list)
    last_referral: float | None = None

    def code_at(self, ts: float) -> CodePlan:
        """The code a person used at `ts`: the latest issued before (a reissue replaces it)."""
        codes = self.codes
        if len(codes) == 1:
            return codes[0]
        position = bisect.bisect_right([c.created for c in codes], ts) - 1
        return codes[max(position, 0)]

    @property
    def last_visit_on(self) -> datetime.date | None:
        done = [visit.done_on for visit in self.visits if visit.done_on is not None]
        return max(done) if done else None


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def fake_mobile(n: int) -> str:
    """A valid French mobile number, obviously fake: 06 00 followed by six digits."""
    return f"+33600{n % 1_000_000:06d}"


def fake_staff_mobile(n: int) -> str:
    """A valid French mobile number for staff and territories, apart from people's: 07 80."""
    return f"+33780{n % 1_000_000:06d}"


def fake_landline(n: int) -> str:
    """A number in ARCEP's fiction range for the south-west (05 36 49): it rings nobody."""
    return f"+3353649{n % 10_000:04d}"


def plan_staff(
    *, territories: int, capteurs: int, ids: Ids, rng: random.Random, suffix: str
) -> tuple[list[TerritoryPlan], list[UserPlan]]:
    """Territories, their facilitators and coordinators, and one network coordinator who is
    a member of every territory. `suffix` keeps names unique when adding to existing data."""
    plans, users = [], []
    per_territory = max(1, capteurs // max(territories, 1))
    for index in range(territories):
        seed = v.TERRITORIES[index % len(v.TERRITORIES)]
        round_ = index // len(v.TERRITORIES)
        name = seed.name if round_ == 0 else f"{seed.name} {round_ + 1}"
        slug = seed.slug if round_ == 0 else f"{seed.slug}-{round_ + 1}"
        plans.append(
            TerritoryPlan(
                id=ids.take("territory"),
                name=f"{name}{' ' + suffix if suffix else ''}",
                slug=f"{slug}{'-' + suffix if suffix else ''}",
                towns=seed.towns,
            )
        )
    for territory in plans:
        facilitators = max(2, math.ceil(per_territory / CAPTEURS_PER_FACILITATOR))
        for number in range(1, facilitators + 1):
            user = _user(ids, rng, f"facilitateur.{territory.slug}.{number}", [(territory.id, "f")])
            territory.facilitators.append(user.id)
            users.append(user)
        coordinator = _user(ids, rng, f"coordination.{territory.slug}", [(territory.id, "c")])
        territory.coordinators.append(coordinator.id)
        users.append(coordinator)
    network = _user(
        ids, rng, f"coordination{'.' + suffix if suffix else ''}", [(t.id, "c") for t in plans]
    )
    users.append(network)
    for territory in plans:
        territory.coordinators.append(network.id)
    for user in users:
        user.memberships = [
            (territory_id, Role.FACILITATOR if role == "f" else Role.COORDINATOR)
            for territory_id, role in user.memberships
        ]
    return plans, users


def _user(ids: Ids, rng: random.Random, local_part: str, memberships) -> UserPlan:
    user_id = ids.take("user")
    return UserPlan(
        id=user_id,
        email=f"{local_part}@{EMAIL_DOMAIN}",
        first_name=rng.choice(v.FIRST_NAMES),
        last_name=rng.choice(v.LAST_NAMES),
        phone=fake_staff_mobile(user_id),
        memberships=memberships,
    )


def plan_structures(territories: list[TerritoryPlan], ids: Ids) -> None:
    for territory in territories:
        for _kind, _name, needs in v.STRUCTURES:
            territory.structures.append((ids.take("structure"), needs))


class CodeFactory:
    """Tokens and short codes: random (from the dataset's seed) and unique, also among the
    codes already in the database when adding to it."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng = rng
        self.taken = taken

    def token(self) -> str:
        return base64.urlsafe_b64encode(self.rng.randbytes(TOKEN_BYTES)).decode().rstrip("=")

    def short_code(self) -> str:
        for length in (4, 4, 4, 5, 5, 5, 6, 6, 6, 6):
            code = "".join(self.rng.choices(SHORT_CODE_ALPHABET, k=length))
            if code not in self.taken:
                self.taken.add(code)
                return code
        raise RuntimeError("No free short code left.")


def plan_capteurs(
    *,
    territories: list[TerritoryPlan],
    count: int,
    start: float,
    clock: Clock,
    ids: Ids,
    rng: random.Random,
    codes: CodeFactory,
) -> list[CapteurPlan]:
    """`count` capteurs over the territories, with a story each:

    - a third were already in the network when the period starts, the others join along it;
    - 18 % are still prospects, 62 % partners, 10 % paused and 10 % withdrawn (a third of
      those said no before signing);
    - a quarter of the partners never send anyone, and a third of the others went quiet at
      some point (dormant); how many people each sends varies a lot (log-normal weight);
    - 12 % of signed capteurs had their code revoked and reissued (a defaced poster), and a
      withdrawn capteur's codes are all revoked.
    """
    now = clock.now
    kinds = {kind: weight for kind, (weight, _words) in v.CAPTEUR_KINDS.items()}
    plans = []
    for number in range(count):
        territory = territories[number % len(territories)]
        kind = _weighted(rng, kinds)
        words = v.CAPTEUR_KINDS[kind][1]
        town = rng.choice(territory.towns)
        if rng.random() < 0.35:
            first_contact = start - rng.uniform(30, 400) * DAY
        else:
            first_contact = rng.uniform(start, now - DAY)
        stage = _weighted(
            rng, {Stage.PROSPECT: 18, Stage.PARTNER: 62, Stage.PAUSED: 10, Stage.WITHDRAWN: 10}
        )
        signed = stopped = None
        if stage != Stage.PROSPECT and not (stage == Stage.WITHDRAWN and rng.random() < 0.33):
            signed = first_contact + rng.uniform(3, 60) * DAY
            if signed > now - DAY:
                stage, signed = Stage.PROSPECT, None
        if stage in (Stage.PAUSED, Stage.WITHDRAWN):
            begin = (signed or first_contact) + 30 * DAY
            if begin < now - DAY:
                stopped = rng.uniform(begin, now - DAY)
            else:
                stage = Stage.PARTNER if signed else Stage.PROSPECT
        sends_from = sends_until = 0.0
        weight = 0.0
        if signed is not None and rng.random() >= 0.25:
            sends_from = max(signed, start)
            sends_until = stopped or now
            if rng.random() < 0.33 and sends_until - sends_from > 130 * DAY:
                sends_until = rng.uniform(sends_from + 30 * DAY, now - 100 * DAY)
            weight = rng.lognormvariate(0, 1.0)
        facilitators = territory.facilitators
        referent = rng.choice(facilitators) if rng.random() < 0.85 else None
        capteur = CapteurPlan(
            id=ids.take("capteur"),
            territory=territory,
            kind=kind,
            name=f"{rng.choice(words)} {rng.choice(v.CAPTEUR_NAME_WORDS)} ({town.city})",
            town=town,
            stage=stage,
            created=first_contact,
            first_contact=first_contact,
            signed=signed,
            stopped=stopped,
            sends_from=sends_from,
            sends_until=sends_until,
            weight=weight,
            referent=referent,
        )
        _plan_codes(capteur, ids=ids, rng=rng, codes=codes, now=now)
        plans.append(capteur)
    return plans


def _plan_codes(capteur: CapteurPlan, *, ids: Ids, rng, codes: CodeFactory, now: float) -> None:
    first = CodePlan(
        id=ids.take("code"),
        created=capteur.created,
        revoked=None,
        token=codes.token(),
        short_code=codes.short_code(),
    )
    capteur.codes.append(first)
    if capteur.signed is not None and rng.random() < 0.12:
        end = capteur.stopped or now
        reissued = rng.uniform(capteur.signed, end)
        first.revoked = reissued
        capteur.codes.append(
            CodePlan(
                id=ids.take("code"),
                created=reissued,
                revoked=None,
                token=codes.token(),
                short_code=codes.short_code(),
            )
        )
    if capteur.stage == Stage.WITHDRAWN:
        for code in capteur.codes:
            if code.revoked is None:
                code.revoked = capteur.stopped


def plan_visits(capteurs: list[CapteurPlan], *, clock: Clock, ids: Ids, rng) -> None:
    """Visits done (prospection, onboarding 14 days after signing, follow-ups and restocks
    every few months while the capteur is a partner) and planned (a follow-up for partners not
    visited in 45 days, as the planning job would; a few planned by hand), some cancelled."""
    today = clock.today
    for capteur in capteurs:
        visits = capteur.visits
        facilitator = capteur.referent or rng.choice(capteur.territory.facilitators)

        def add(kind, day, *, done, auto=False, visits=visits, facilitator=facilitator):
            created = clock.day_start(day) - rng.uniform(1, 20) * DAY
            if done and rng.random() < 0.05:
                status, done_on = VisitStatus.CANCELLED, None
            elif done:
                status, done_on = VisitStatus.DONE, day
            else:
                status, done_on = VisitStatus.PLANNED, None
            updated = clock.day_start(day) + 8 * 3600 if done else created
            visits.append(
                VisitPlan(
                    id=ids.take("visit"),
                    kind=kind,
                    status=status,
                    planned_on=day,
                    done_on=done_on,
                    created=min(created, clock.now),
                    updated=min(updated, clock.now),
                    auto_planned=auto,
                    facilitator=facilitator,
                )
            )

        add(VisitKind.PROSPECTION, clock.local_date(capteur.first_contact), done=True)
        if capteur.signed is None:
            continue
        onboarding = clock.local_date(capteur.signed) + datetime.timedelta(days=14)
        if onboarding > today:
            add(VisitKind.ONBOARDING, onboarding, done=False, auto=True)
            continue
        add(VisitKind.ONBOARDING, onboarding, done=True)
        end = clock.local_date(capteur.stopped) if capteur.stopped else today
        day = onboarding + datetime.timedelta(days=rng.randint(40, 120))
        while day < end:
            kind = VisitKind.RESTOCK if rng.random() < 0.15 else VisitKind.FOLLOW_UP
            add(kind, day, done=True)
            day += datetime.timedelta(days=rng.randint(40, 150))
        if capteur.stage != Stage.PARTNER:
            continue
        last = capteur.last_visit_on
        if last is None or (today - last).days > 45:
            soon = today + datetime.timedelta(days=rng.randint(0, 20))
            add(VisitKind.FOLLOW_UP, soon, done=False, auto=True)
        elif rng.random() < 0.2:
            add(VisitKind.RESTOCK, today + datetime.timedelta(days=rng.randint(1, 30)), done=False)
