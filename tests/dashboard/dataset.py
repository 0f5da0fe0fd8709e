"""A fixed first quarter of 2025 in Ouest Béarn (and a little of Haut Béarn), written as plain
data: what happened to each referral, capteur and visit, and when. `build` makes the rows; the
tests compute what they expect from these same lists in plain Python, never through the
dashboard's queries."""

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from backend.capteurs.enums import CapteurKind, ScanSource, Stage
from backend.capteurs.models import StageChange
from backend.referrals.enums import Channel, ClosingReason
from backend.visits.enums import VisitStatus
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.dashboard.factories import (
    CodeScanDayFactory,
    at,
    backdate_capteur,
    referral_with_history,
)
from tests.visits.factories import VisitFactory

MONTHS = [datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)]
FIRST_DAY, LAST_DAY = datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)
LONG_AGO = at(2024, 1, 1)
# The figures are the same whether their days come from the referrals, from the nightly roll-up
# (backend.referrals.services.daily) or, rolled up in mid-February, from both: the day passed
# to the roll-up as "today" (None: no roll-up; "today": the real one, the whole quarter).
ROLL_UPS = {
    "not rolled up": None,
    "rolled up to 14 February": datetime.date(2025, 2, 15),
    "rolled up to yesterday": "today",
}


@dataclass
class CapteurStory:
    key: str
    kind: str
    stage: str  # today's
    moves: list[tuple[datetime.datetime, str, str]] = field(default_factory=list)
    signed_on: datetime.date | None = None
    created: datetime.datetime = LONG_AGO
    coordinates: bool = True
    territory: str = "ours"


@dataclass
class Story:
    """One referral: when it was received, contacted, met, oriented and closed."""

    capteur: str | None
    received: datetime.datetime
    contacted: datetime.datetime | None = None
    met: datetime.datetime | None = None
    oriented: datetime.datetime | None = None
    closed: datetime.datetime | None = None
    reason: str = ClosingReason.ACCOMPANIED
    channel: str = Channel.QR

    @property
    def duplicate(self) -> bool:
        return self.closed is not None and self.reason == ClosingReason.DUPLICATE

    @property
    def due_on(self) -> datetime.date:
        return self.received.date() + datetime.timedelta(days=2)


CAPTEURS = [
    # A partner since October, sending people.
    CapteurStory(
        "bar",
        CapteurKind.BAR_TABAC,
        Stage.PARTNER,
        [(at(2024, 10, 1), Stage.PROSPECT, Stage.PARTNER)],
        datetime.date(2024, 10, 1),
    ),
    # Signed on 20 January: new at the end of January, dormant at the end of February, active
    # at the end of March.
    CapteurStory(
        "pharmacie",
        CapteurKind.PHARMACIE,
        Stage.PARTNER,
        [(at(2025, 1, 20), Stage.PROSPECT, Stage.PARTNER)],
        datetime.date(2025, 1, 20),
    ),
    # Its only referral was in September 2024: dormant all quarter.
    CapteurStory(
        "club",
        CapteurKind.CLUB_SPORTIF,
        Stage.PARTNER,
        [(at(2024, 6, 1), Stage.PROSPECT, Stage.PARTNER)],
        datetime.date(2024, 6, 1),
    ),
    # Active in January thanks to December, paused on 10 February: out of the network after.
    CapteurStory(
        "agence",
        CapteurKind.AGENCE_INTERIM,
        Stage.PAUSED,
        [
            (at(2024, 12, 1), Stage.PROSPECT, Stage.PARTNER),
            (at(2025, 2, 10), Stage.PARTNER, Stage.PAUSED),
        ],
        datetime.date(2024, 12, 1),
    ),
    # Imported as a partner (no stage moves), signed on 15 February.
    CapteurStory(
        "asso", CapteurKind.ASSOCIATION_CARITATIVE, Stage.PARTNER, [], datetime.date(2025, 2, 15)
    ),
    # Registered in May, after the quarter; no coordinates.
    CapteurStory(
        "epicerie",
        CapteurKind.COMMERCE,
        Stage.PARTNER,
        [],
        datetime.date(2025, 5, 1),
        created=at(2025, 5, 1),
        coordinates=False,
    ),
    # Another territory's.
    CapteurStory(
        "theirs",
        CapteurKind.BAR_TABAC,
        Stage.PARTNER,
        [(at(2024, 10, 1), Stage.PROSPECT, Stage.PARTNER)],
        datetime.date(2024, 10, 1),
        territory="theirs",
    ),
]

STORIES = [
    Story("bar", at(2025, 1, 6), at(2025, 1, 7, 9), at(2025, 1, 20), at(2025, 2, 3)),
    Story(
        "bar",
        at(2025, 1, 8),
        at(2025, 1, 8, 15),
        closed=at(2025, 1, 9),
        reason=ClosingReason.DUPLICATE,
    ),
    Story(
        "bar",
        at(2025, 1, 15, 14),
        at(2025, 1, 17),
        closed=at(2025, 2, 20),
        reason=ClosingReason.DECLINED,
    ),
    # Received late on 31 January, contacted just after midnight: two months (local time).
    Story(
        "bar",
        at(2025, 1, 31, 23, 30),
        at(2025, 2, 1, 0, 30),
        at(2025, 2, 10),
        at(2025, 3, 3),
        at(2025, 3, 28),
    ),
    # Oriented on the phone, never met.
    Story("pharmacie", at(2025, 3, 5, 9), at(2025, 3, 5, 17), oriented=at(2025, 3, 20)),
    # Not contacted yet, past its due date.
    Story("pharmacie", at(2025, 3, 25)),
    # No capteur: the person called.
    Story(None, at(2025, 2, 12), at(2025, 2, 14), at(2025, 2, 20), channel=Channel.PHONE),
    # Received in December, first contacted in January after three weeks.
    Story("agence", at(2024, 12, 10), at(2025, 1, 2), at(2025, 1, 10)),
    Story(
        "club",
        at(2024, 9, 15),
        at(2024, 9, 16),
        closed=at(2024, 10, 1),
        reason=ClosingReason.OUT_OF_SCOPE,
    ),
    Story("asso", at(2025, 3, 10), at(2025, 3, 11), channel=Channel.LINK),
    Story("theirs", at(2025, 1, 10), at(2025, 1, 11), at(2025, 1, 12), at(2025, 1, 13)),
]

# (capteur, planned on, status, done on)
VISITS = [
    ("bar", datetime.date(2025, 1, 14), VisitStatus.DONE, datetime.date(2025, 1, 14)),
    ("pharmacie", datetime.date(2025, 2, 3), VisitStatus.DONE, datetime.date(2025, 2, 3)),
    ("club", datetime.date(2025, 2, 15), VisitStatus.CANCELLED, None),
    ("club", datetime.date(2025, 3, 10), VisitStatus.DONE, datetime.date(2025, 3, 12)),
    ("asso", datetime.date(2025, 3, 30), VisitStatus.PLANNED, None),
    ("theirs", datetime.date(2025, 1, 20), VisitStatus.DONE, datetime.date(2025, 1, 20)),
]

# (capteur, day, source, count)
SCANS = [
    ("bar", datetime.date(2025, 1, 5), ScanSource.QR, 10),
    ("bar", datetime.date(2025, 1, 6), ScanSource.LINK, 4),
    ("pharmacie", datetime.date(2025, 3, 5), ScanSource.QR, 6),
    ("asso", datetime.date(2025, 3, 10), ScanSource.LINK, 2),
    ("bar", datetime.date(2024, 12, 20), ScanSource.QR, 7),
    ("theirs", datetime.date(2025, 1, 10), ScanSource.QR, 50),
]


def ours(story) -> bool:
    return story.capteur != "theirs"


def build(territory, other_territory) -> SimpleNamespace:
    """The rows of the quarter. Returns the capteurs and codes by key."""
    territories = {"ours": territory, "theirs": other_territory}
    capteurs, codes = {}, {}
    for story in CAPTEURS:
        capteur = CapteurFactory(
            territory=territories[story.territory],
            kind=story.kind,
            stage=story.stage,
            signed_on=story.signed_on,
            name=f"Capteur {story.key}",
            **({} if story.coordinates else {"latitude": None, "longitude": None}),
        )
        backdate_capteur(capteur, story.created)
        for moved_at, from_stage, to_stage in story.moves:
            change = StageChange.objects.create(
                capteur=capteur, from_stage=from_stage, to_stage=to_stage
            )
            StageChange.objects.filter(pk=change.pk).update(at=moved_at)
        capteurs[story.key] = capteur
        codes[story.key] = ReferralCodeFactory(capteur=capteur)
    referrals = []
    for story in STORIES:
        extra = (
            {"capteur": capteurs[story.capteur], "code": codes[story.capteur]}
            if story.capteur
            else {"capteur": None, "code": None, "territory": territory}
        )
        referrals.append(
            referral_with_history(
                received=story.received,
                contacted=story.contacted,
                met=story.met,
                oriented=story.oriented,
                closed=story.closed,
                reason=story.reason,
                due_on=story.due_on,
                channel=story.channel,
                **extra,
            )
        )
    for key, planned_on, status, done_on in VISITS:
        VisitFactory(capteur=capteurs[key], planned_on=planned_on, status=status, done_on=done_on)
    for key, day, source, count in SCANS:
        CodeScanDayFactory(code=codes[key], day=day, source=source, count=count)
    return SimpleNamespace(capteurs=capteurs, codes=codes, referrals=referrals)
