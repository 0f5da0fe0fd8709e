"""Reads of visits, the day's round and calendar feeds, scoped to the user, with their joins."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from backend.accounts.enums import Role
from backend.accounts.models import Membership, User
from backend.capteurs.models import Capteur
from backend.visits import routing
from backend.visits.enums import RoundStart, VisitStatus
from backend.visits.models import CalendarFeed, Visit, VisitEvent

# Done visits stay in the calendar feed this long: "when did I last go there?"
FEED_DONE_DAYS = 30


def visit_queryset(*, user: User) -> QuerySet[Visit]:
    """Visits `user` may see (all those of their territories), joined to what lists show."""
    return Visit.objects.for_user(user).select_related("capteur", "facilitator")


def visit_get(*, user: User, pk: int) -> Visit:
    """The visit `pk` if `user` may see it; 404 otherwise (whether it exists or not)."""
    return get_object_or_404(visit_queryset(user=user), pk=pk)


def visit_detail(*, user: User, pk: int) -> Visit:
    """Like visit_get, with the visit's events and their actors (two queries)."""
    return get_object_or_404(
        visit_queryset(user=user).prefetch_related(
            Prefetch("events", queryset=VisitEvent.objects.select_related("actor"))
        ),
        pk=pk,
    )


def previous_next_step() -> Subquery:
    """The next step written at the capteur's latest done visit (before this one): what to do
    when going there again. A subquery, so lists stay one query."""
    latest = (
        Visit.objects.filter(capteur=OuterRef("capteur"), status=VisitStatus.DONE)
        .exclude(pk=OuterRef("pk"))
        .exclude(next_step="")
        .order_by("-done_on", "-id")
    )
    return Subquery(latest.values("next_step")[:1])


# --- The day's round ----------------------------------------------------------------------


@dataclass(frozen=True)
class RoundStop:
    visit: Visit
    overdue: bool  # planned before the round's day and still not done
    distance_from_previous_km: float | None  # None: no coordinates, or the round's first stop
    maps_url: str | None


@dataclass(frozen=True)
class Round:
    day: datetime.date
    start: routing.Point | None
    start_source: RoundStart
    stops: list[RoundStop]
    total_km: float  # from the start through every stop with coordinates

    @property
    def start_info(self) -> dict[str, object]:
        latitude, longitude = self.start if self.start is not None else (None, None)
        return {"latitude": latitude, "longitude": longitude, "source": self.start_source}


def _point(latitude: Decimal | None, longitude: Decimal | None) -> routing.Point | None:
    if latitude is None or longitude is None:
        return None
    return (float(latitude), float(longitude))


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def maps_url(capteur: Capteur) -> str | None:
    """A `geo:` URI that opens the phone's maps app on the capteur (RFC 5870; the `q` label
    is what Android shows). Without coordinates, a search of its address; None without one."""
    if capteur.latitude is not None and capteur.longitude is not None:
        where = f"{_decimal_text(capteur.latitude)},{_decimal_text(capteur.longitude)}"
        return f"geo:{where}?q={where}({quote(capteur.name, safe='')})"
    address = ", ".join(
        part for part in (capteur.address, f"{capteur.postal_code} {capteur.city}".strip()) if part
    )
    return f"geo:0,0?q={quote(address, safe='')}" if address else None


def round_start(*, user: User) -> tuple[routing.Point | None, RoundStart]:
    """Where `user`'s round starts: their own start point (the first of their facilitator
    memberships that has one), else their territory's, else nowhere (one query)."""
    memberships = list(
        Membership.objects.filter(user=user, role=Role.FACILITATOR)
        .select_related("territory")
        .order_by("id")
    )
    for membership in memberships:
        own = _point(membership.round_start_latitude, membership.round_start_longitude)
        if own is not None:
            return own, RoundStart.MEMBERSHIP
    for membership in memberships:
        territory = membership.territory
        shared = _point(territory.round_start_latitude, territory.round_start_longitude)
        if shared is not None:
            return shared, RoundStart.TERRITORY
    return None, RoundStart.FIRST_STOP


def round_visits(*, user: User, day: datetime.date) -> QuerySet[Visit]:
    """`user`'s visits still planned on or before `day` (overdue ones included), in one query
    with their capteurs and the next step of each capteur's previous visit."""
    return (
        Visit.objects.for_user(user)
        .filter(facilitator=user, status=VisitStatus.PLANNED, planned_on__lte=day)
        .select_related("capteur")
        .annotate(previous_next_step=previous_next_step())
        .order_by("planned_on", "id")
    )


def visit_round(*, user: User, day: datetime.date) -> Round:
    """`user`'s round on `day`: their due visits in a short route order (backend.visits.routing)
    from their start point. Stops without coordinates come last, in date order: listed, never
    dropped. Two queries: the start point, the stops."""
    start, source = round_start(user=user)
    placed: list[tuple[Visit, routing.Point]] = []
    unplaced: list[Visit] = []
    for visit in round_visits(user=user, day=day):
        point = _point(visit.capteur.latitude, visit.capteur.longitude)
        if point is None:
            unplaced.append(visit)
        else:
            placed.append((visit, point))
    stops: list[RoundStop] = []
    total, previous = 0.0, start
    for index in routing.short_route([point for _, point in placed], start=start):
        visit, here = placed[index]
        leg = None if previous is None else routing.haversine_km(previous, here)
        total += leg or 0.0
        previous = here
        stops.append(RoundStop(visit, visit.planned_on < day, _km(leg), maps_url(visit.capteur)))
    stops += [RoundStop(v, v.planned_on < day, None, maps_url(v.capteur)) for v in unplaced]
    return Round(day, start, source, stops, round(total, 2))


def _km(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- Calendar feed ------------------------------------------------------------------------


def calendar_feed_get(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def calendar_feed_by_secret(*, secret: str) -> CalendarFeed | None:
    """The feed behind `secret` if its owner is still an active user; None otherwise."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(secret=secret, user__is_active=True)
        .first()
    )


def calendar_feed_visits(*, user: User, today: datetime.date) -> QuerySet[Visit]:
    """What `user`'s calendar shows: their planned visits, and those done in the last
    FEED_DONE_DAYS days, in their territories (scoped: a territory left is gone), with the
    number of events of each (the ICS SEQUENCE) and previous_next_step. One query."""
    return (
        Visit.objects.for_user(user)
        .filter(facilitator=user)
        .filter(
            Q(status=VisitStatus.PLANNED)
            | Q(
                status=VisitStatus.DONE,
                done_on__gte=today - datetime.timedelta(days=FEED_DONE_DAYS),
            )
        )
        .select_related("capteur")
        .annotate(revisions=Count("events"), previous_next_step=previous_next_step())
        .order_by("planned_on", "id")
    )
