"""The demo territory "Ouest Béarn", seeded by `manage.py seed_demo` (run by `make run`).

Fake people only: contact persons and staff names come from Faker (fr_FR) seeded per row, so
the data is the same on every machine, whatever already exists. Capteurs, stage moves and
codes go through the capteurs services, so stage history and codes are the real ones; only
their dates are backdated afterwards (demo-only, see `_backdate`).

Idempotent: users are keyed by e-mail, capteurs by (territory, name); a capteur that already
exists is left as it is; referrals and visits are seeded once (not when the territory has
some), so a second run changes nothing.
"""

import datetime
import functools
import random
from dataclasses import dataclass, field
from decimal import Decimal

import phonenumbers
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.capteurs.enums import ScanSource, Stage, SummaryChannel
from backend.capteurs.models import Capteur, CodeScanDay, ReferralCode, StageChange
from backend.capteurs.services import (
    capteur_create,
    capteur_move_stage,
    referral_code_issue,
    referral_code_revoke,
)
from backend.demo import data
from backend.demo.referrals import seed_referrals
from backend.demo.structures import seed_structures
from backend.demo.visits import seed_visits
from backend.referrals.notifications import capteur_summaries_create
from backend.referrals.services.daily import referral_days_roll_up

# Printed by seed_demo: every demo login uses it. Demo data only, never a real account.
DEMO_PASSWORD = "relais-demo-2026"  # noqa: S105
SEED = "relais-demo"
# The demo coordinator's and admin's authenticator app (two-factor is required for them): a
# published key, demo data only. Add DEMO_TOTP_SECRET to an authenticator app, or print the
# current code with `manage.py demo_otp_code`.
DEMO_TOTP_KEY = b"relais-demo-totp-key"
DEMO_TOTP_SECRET = "OJSWYYLJOMWWIZLNN4WXI33UOAWWWZLZ"  # noqa: S105 - base32 of DEMO_TOTP_KEY
DEMO_TOTP_DEVICE = "Démo (clé publiée)"


def demo_totp_code() -> str:
    """The code the demo authenticator app shows now."""
    return f"{totp(DEMO_TOTP_KEY):06d}"


# The capteur whose code the command shows as the example landing page and poster.
SHOWCASE_CAPTEUR = "Bar-tabac Le Balto"


@functools.cache
def _faker() -> Faker:
    return Faker("fr_FR")  # built once: loading a locale is not free


def _fake(key: str) -> Faker:
    """The shared fr_FR Faker, re-seeded for `key`: a row's fake data depends on it alone."""
    fake = _faker()
    fake.seed_instance(f"{SEED}:{key}")
    return fake


# Landing page visits per code, by plan: (min, max).
SCANS = {data.ACTIVE: (15, 120), data.DORMANT_OLD: (3, 25), data.NEW: (0, 6)}


def _rng(key: str) -> random.Random:
    return random.Random(f"{SEED}:{key}")  # noqa: S311 - demo data, deterministic on purpose


@dataclass
class SeedResult:
    territory: Territory
    users: list[tuple[User, str]] = field(default_factory=list)  # (user, role label)
    capteurs_created: int = 0
    capteurs_existing: int = 0
    codes_issued: int = 0
    structures_created: int = 0
    referrals_created: int = 0
    visits_created: int = 0
    showcase_code: ReferralCode | None = None


# --- Users --------------------------------------------------------------------------------


def seed_users(territory: Territory) -> dict[str, tuple[User, str]]:
    """The demo staff, keyed by DemoUser.key: a superuser, a coordinator, three facilitators."""
    users = {}
    for demo in data.DEMO_USERS:
        fake = _fake(demo.email)
        user, created = User.objects.get_or_create(
            email=demo.email,
            defaults={"first_name": fake.first_name(), "last_name": fake.last_name()},
        )
        # Keep the documented password working (without re-hashing when it already does).
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if demo.role is None:
            if not (user.is_staff and user.is_superuser and user.is_active):
                user.is_staff = user.is_superuser = user.is_active = True
                user.save(update_fields=["is_staff", "is_superuser", "is_active"])
            label = "superuser (Django admin)"
            _enrol_demo_app(user)
        else:
            membership, _ = Membership.objects.get_or_create(
                user=user, territory=territory, defaults={"role": demo.role}
            )
            if demo.round_start and membership.round_start_latitude is None:
                membership.round_start_latitude, membership.round_start_longitude = (
                    Decimal(str(value)) for value in demo.round_start
                )
                membership.save(update_fields=["round_start_latitude", "round_start_longitude"])
            label = f"{Role(membership.role).name.lower()}, {territory.name}"
            if membership.role == Role.COORDINATOR:
                _enrol_demo_app(user)
            if demo.sectors:
                communes = [p.city for p in data.PLACES.values() if p.sector in demo.sectors]
                label += f" ({', '.join(communes)})"
        users[demo.key] = (user, label)
    return users


def _enrol_demo_app(user: User) -> None:
    """Two-factor is required for coordinators and admins: the demo ones have the published
    demo authenticator app (once; an app enrolled since in the PWA stays too)."""
    TOTPDevice.objects.update_or_create(
        user=user,
        name=DEMO_TOTP_DEVICE,
        defaults={"key": DEMO_TOTP_KEY.hex(), "confirmed": True},
    )


# --- Capteurs -----------------------------------------------------------------------------


def _valid_e164(number: str) -> str:
    if not phonenumbers.is_valid_number(phonenumbers.parse(number)):
        raise ValueError(f"Invalid demo phone number: {number}")
    return number


def capteur_phone(seed: data.CapteurSeed, rng: random.Random) -> str:
    """A valid French number in ARCEP's fiction range (05 36 49): it rings nobody.

    Fiction ranges exist for landlines only (06 39 98 is not a valid mobile for phonenumbers),
    so demo capteurs have landlines: nothing Relais sends can reach a real stranger's mobile.
    """
    digits = data.LANDLINE_PREFIX + f"{rng.randrange(10**4):04d}"
    return _valid_e164(f"+33{digits}")


def capteur_fields(seed: data.CapteurSeed, rng: random.Random, fake: Faker) -> dict:
    place = data.PLACES[seed.city]

    # A few hundred metres around the town centre (0.004° of latitude is ~450 m).
    def jitter(value, spread):
        return Decimal(str(value + rng.uniform(-spread, spread))).quantize(Decimal("0.000001"))

    return {
        "name": seed.name,
        "kind": seed.kind,
        "address": f"{rng.randint(1, 48)} {rng.choice(place.streets)}",
        "postal_code": place.postal_code,
        "city": place.city,
        "latitude": jitter(place.latitude, 0.004),
        "longitude": jitter(place.longitude, 0.005),
        "contact_name": f"{fake.first_name()} {fake.last_name()}",
        "phone": capteur_phone(seed, rng),
        "email": f"{slugify(seed.name)[:40].strip('-')}@example.org"
        if seed.kind in data.EMAIL_KINDS
        else "",
        "notes": rng.choice(data.NOTES[seed.plan]),
        # Those with an e-mail asked for the monthly summary (demo numbers are landlines).
        "summary_channel": SummaryChannel.EMAIL
        if seed.kind in data.EMAIL_KINDS
        else SummaryChannel.NONE,
    }


@dataclass
class Timeline:
    """When things happened to a capteur, in days before today."""

    first_contact: int
    moves: list[tuple[str, int]] = field(default_factory=list)  # (to_stage, days ago)
    signed: int | None = None
    last_referral: int | None = None


def plan_timeline(plan: str, rng: random.Random) -> Timeline:
    """A plausible story for `plan`, signatures spread over the last 18 months."""
    if plan == data.PROSPECT:
        return Timeline(first_contact=rng.randint(5, 150))
    if plan == data.WITHDRAWN_PROSPECT:
        first = rng.randint(90, 420)
        return Timeline(first, [(Stage.WITHDRAWN, first - rng.randint(14, 60))])
    signed = {
        data.ACTIVE: lambda: rng.randint(60, 540),
        data.NEW: lambda: rng.randint(3, 25),
        data.DORMANT_OLD: lambda: rng.randint(240, 540),
        data.DORMANT_NEVER: lambda: rng.randint(45, 400),
        data.PAUSED: lambda: rng.randint(150, 540),
        data.WITHDRAWN_PARTNER: lambda: rng.randint(300, 540),
    }[plan]()
    timeline = Timeline(
        first_contact=signed + rng.randint(7, 60), moves=[(Stage.PARTNER, signed)], signed=signed
    )
    if plan == data.ACTIVE:
        timeline.last_referral = rng.randint(1, min(75, signed - 1))
    elif plan == data.DORMANT_OLD:
        timeline.last_referral = rng.randint(110, signed - 30)
    elif plan == data.PAUSED:
        timeline.moves.append((Stage.PAUSED, rng.randint(20, signed - 60)))
    elif plan == data.WITHDRAWN_PARTNER:
        timeline.moves.append((Stage.WITHDRAWN, rng.randint(30, signed - 90)))
    return timeline


def _at(today: datetime.date, days_ago: int, rng: random.Random) -> datetime.datetime:
    """An aware datetime `days_ago` days before `today`, during working hours."""
    day = today - datetime.timedelta(days=days_ago)
    time = datetime.time(rng.randint(9, 17), rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def seed_capteur(seed: data.CapteurSeed, *, territory, referent, today) -> int:
    """Creates one capteur with its story and codes. Returns the number of codes issued."""
    rng = _rng(seed.name)
    fake = _fake(seed.name)
    timeline = plan_timeline(seed.plan, rng)
    first_contact_on = today - datetime.timedelta(days=timeline.first_contact)
    capteur = capteur_create(
        territory=territory,
        actor=referent,
        referent=referent,
        first_contact_on=first_contact_on,
        **capteur_fields(seed, rng, fake),
    )
    codes: list[ReferralCode] = []
    move_times: list[datetime.datetime] = []
    revoke_at: datetime.datetime | None = None
    for to_stage, days_ago in timeline.moves:
        at = _at(today, days_ago, rng)
        if to_stage == Stage.WITHDRAWN and codes:
            revoke_at = at  # withdrawing revokes the codes (capteur_move_stage)
        capteur = capteur_move_stage(capteur=capteur, to_stage=to_stage, actor=referent)
        move_times.append(at)
        if to_stage == Stage.PARTNER:
            codes = [
                referral_code_issue(capteur=capteur, actor=referent, label=label)
                for label in seed.code_labels
            ]
    issued = len(codes)
    lost_poster = None
    if seed.lost_poster and codes:
        lost_poster = codes[0]
        codes[0] = referral_code_revoke(code=lost_poster, actor=referent, reissue=True)
        issued += 1
    _backdate(
        capteur,
        plan=seed.plan,
        rng=rng,
        today=today,
        timeline=timeline,
        move_times=move_times,
        codes=codes,
        revoke_at=revoke_at,
        lost_poster=lost_poster,
    )
    return issued


def _backdate(capteur, *, plan, rng, today, timeline, move_times, codes, revoke_at, lost_poster):
    """Demo-only backdating: the services stamp everything "now"; a demo needs a past.

    Plain queryset updates on purpose: never to be copied into application code.
    """
    Capteur.objects.filter(pk=capteur.pk).update(
        created_at=_at(today, timeline.first_contact, rng),
        signed_on=None
        if timeline.signed is None
        else today - datetime.timedelta(days=timeline.signed),
        last_referral_at=None
        if timeline.last_referral is None
        else _at(today, timeline.last_referral, rng),
    )
    changes = StageChange.objects.filter(capteur=capteur).order_by("id")
    for change, at in zip(changes, move_times, strict=True):
        StageChange.objects.filter(pk=change.pk).update(at=at)
    if timeline.signed is None:
        return
    signed_at = move_times[0]
    if revoke_at is not None:
        # Withdrawn partner: its codes were revoked the day it left.
        ReferralCode.objects.filter(capteur=capteur).update(
            created_at=signed_at, revoked_at=revoke_at
        )
        return
    # Landing page visits, a leading indicator: more where people are actually sent.
    low, high = SCANS.get(plan, (0, 4))
    issued = {code.pk: (timeline.signed, signed_at) for code in codes}  # pk: (days ago, at)
    if lost_poster is not None:
        # A lost poster: its code was revoked and reissued the same day.
        replaced_ago = rng.randint(1, timeline.signed - 1)
        replaced_at = _at(today, replaced_ago, rng)
        lost_count = rng.randint(low, high)
        _scan_days(
            lost_poster,
            count=lost_count,
            newest=replaced_ago,
            oldest=min(timeline.signed, replaced_ago + SCAN_HISTORY_DAYS),
            rng=rng,
            today=today,
        )
        ReferralCode.objects.filter(pk=lost_poster.pk).update(
            created_at=signed_at, revoked_at=replaced_at, scan_count=lost_count
        )
        issued[codes[0].pk] = (replaced_ago, replaced_at)
    for code in codes:
        count = rng.randint(low, high)
        ago, created_at = issued[code.pk]
        days = _scan_days(
            code, count=count, newest=0, oldest=min(ago, SCAN_HISTORY_DAYS), rng=rng, today=today
        )
        ReferralCode.objects.filter(pk=code.pk).update(
            created_at=created_at,
            scan_count=count,
            last_scan_at=_at(today, (today - max(days)).days, rng) if days else None,
        )


# Scan history spreads a code's visits over its last days (at most this many).
SCAN_HISTORY_DAYS = 75


def _scan_days(code, *, count, newest, oldest, rng, today) -> list[datetime.date]:
    """Spreads `count` landing page visits of `code` between `oldest` and `newest` days ago,
    as the landing page records them (one row per day and source; most come from the QR
    code). Returns the days that got a visit."""
    per_day: dict[tuple[datetime.date, str], int] = {}
    for _ in range(count):
        day = today - datetime.timedelta(days=rng.randint(newest, max(oldest, newest)))
        source = ScanSource.QR if rng.random() < 0.8 else ScanSource.LINK
        per_day[(day, source)] = per_day.get((day, source), 0) + 1
    CodeScanDay.objects.bulk_create(
        CodeScanDay(code=code, day=day, source=source, count=n)
        for (day, source), n in per_day.items()
    )
    return sorted({day for day, _ in per_day})


# --- Everything ---------------------------------------------------------------------------


@transaction.atomic
def seed_demo(*, today: datetime.date | None = None) -> SeedResult:
    """Seeds (or completes) the demo territory. A second run changes nothing."""
    today = today or timezone.localdate()
    # An existing territory (by slug or name: both are unique) is kept as it is.
    territory = Territory.objects.filter(
        models.Q(slug=data.TERRITORY["slug"]) | models.Q(name=data.TERRITORY["name"])
    ).first() or Territory.objects.create(**data.TERRITORY)
    if territory.round_start_latitude is None:
        territory.round_start_latitude, territory.round_start_longitude = (
            Decimal(str(value)) for value in data.ROUND_START
        )
        territory.save(update_fields=["round_start_latitude", "round_start_longitude"])
    result = SeedResult(territory=territory)
    users = seed_users(territory)
    result.users = list(users.values())
    referent_of = {
        sector: users[demo.key][0] for demo in data.DEMO_USERS for sector in demo.sectors
    }
    existing = set(Capteur.objects.filter(territory=territory).values_list("name", flat=True))
    for seed in data.CAPTEURS:
        if seed.name in existing:
            result.capteurs_existing += 1
            continue
        referent = referent_of[data.PLACES[seed.city].sector]
        result.codes_issued += seed_capteur(
            seed, territory=territory, referent=referent, today=today
        )
        result.capteurs_created += 1
    result.structures_created, _ = seed_structures(territory)
    result.referrals_created = seed_referrals(territory)
    # The dashboard's daily roll-up, as the nightly job leaves it (counted again: the seed may
    # have completed past days).
    referral_days_roll_up(today=today, territory_ids=[territory.id], again=True)
    # Last month's summaries, as the monthly job sent them: the capteurs see their figures and
    # the facilitators see what was sent.
    capteur_summaries_create(
        month=(today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    )
    result.visits_created = seed_visits(
        territory,
        facilitators=[users[d.key][0] for d in data.DEMO_USERS if d.role == Role.FACILITATOR],
        today=today,
    )
    result.showcase_code = (
        ReferralCode.objects.filter(capteur__territory=territory, revoked_at__isnull=True)
        .select_related("capteur")
        .order_by(
            # The showcase capteur's code first, else any active code.
            models.Case(
                models.When(capteur__name=SHOWCASE_CAPTEUR, then=0),
                default=1,
            ),
            "id",
        )
        .first()
    )
    return result
