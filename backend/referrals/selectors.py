"""Reads of referrals, scoped to the user's territories, with the joins lists need."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from backend.accounts.enums import Role
from backend.accounts.models import Membership, Territory, User
from backend.accounts.scoping import territories_for
from backend.capteurs.models import Capteur
from backend.notifications.models import Notification
from backend.referrals.enums import (
    OPEN_STATUSES,
    UNREACHABLE_SUGGESTION_ATTEMPTS,
    Channel,
    ClosingReason,
    ReferralTemplate,
    Status,
)
from backend.referrals.models import CapteurSummary, Orientation, Referral, ReferralEvent
from backend.structures.models import Structure


def overdue_q(today: datetime.date | None = None) -> Q:
    """Overdue, defined once: not contacted yet and past its first-contact due date."""
    today = today or timezone.localdate()
    return Q(status=Status.NEW, first_contact_due_on__lt=today)


def unreachable_suggestion_q() -> Q:
    """Worth closing as unreachable (a suggestion: the facilitator decides): still open before
    a meeting, and UNREACHABLE_SUGGESTION_ATTEMPTS attempts in a row did not reach the person."""
    return Q(
        status__in=[Status.NEW, Status.CONTACTED],
        unanswered_attempts__gte=UNREACHABLE_SUGGESTION_ATTEMPTS,
    )


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def referral_queryset(*, user: User, today: datetime.date | None = None) -> QuerySet[Referral]:
    """Referrals `user` may see, with what lists show: joins, `overdue` (overdue_q as of
    `today`), `suggest_close_unreachable` (unreachable_suggestion_q), and the outcome of the
    person's latest acknowledgment SMS (`acknowledgment_sms_status`, `_last_error`, `_at`):
    annotations of the same query, so the inbox stays one query however many rows it has."""
    return (
        Referral.objects.for_user(user)
        .select_related("territory", "capteur", "assigned_to", "possible_duplicate_of")
        .annotate(
            overdue=_flag(overdue_q(today)),
            suggest_close_unreachable=_flag(unreachable_suggestion_q()),
            **_latest_acknowledgment_annotations(),
        )
    )


# What the inbox reads of the rows joined to each referral: the capteur's name, the assignee's
# name, the possible duplicate's reference. Only those columns are loaded (whole rows were
# half the page's time: every column parsed, five phone numbers a row parsed again by
# django-phonenumber-field); the territory is not joined (its id is all a list shows). The
# inbox's query-count test catches a column read that is not here.
INBOX_JOINED = (
    "capteur__name",
    "assigned_to__first_name",
    "assigned_to__last_name",
    "assigned_to__email",
    "possible_duplicate_of__created_at",
)


def referral_list_queryset(*, user: User) -> QuerySet[Referral]:
    """referral_queryset for the inbox: its own columns, and of the joined rows INBOX_JOINED."""
    own = [field.name for field in Referral._meta.concrete_fields]
    return (
        referral_queryset(user=user)
        .select_related(None)
        .select_related("capteur", "assigned_to", "possible_duplicate_of")
        .only(*own, *INBOX_JOINED)
    )


def _latest_acknowledgment_annotations() -> dict[str, Subquery]:
    latest = Notification.objects.filter(
        referral=OuterRef("pk"), template=ReferralTemplate.PERSON_ACKNOWLEDGMENT
    ).order_by("-created_at", "-id")
    fields = {"status": "status", "last_error": "last_error", "at": "updated_at"}
    return {
        f"acknowledgment_sms_{name}": Subquery(latest.values(field)[:1])
        for name, field in fields.items()
    }


def oriented_q() -> Q:
    """Oriented to a support structure: status oriented, an orientation recorded, or closed as
    accompanied. The one definition for capteurs' counts, summaries and indicators."""
    return (
        Q(status=Status.ORIENTED)
        | Q(status=Status.CLOSED, closing_reason=ClosingReason.ACCOMPANIED)
        | Q(Exists(Orientation.objects.filter(referral=OuterRef("pk"))))
    )


def reached_q() -> Q:
    """Reached by the team: a first contact recorded, a status past "new", closed after being
    reached (accompanied or declined), or oriented."""
    return (
        Q(first_contacted_at__isnull=False)
        | Q(status__in=[Status.CONTACTED, Status.MET, Status.ORIENTED])
        | Q(
            status=Status.CLOSED,
            closing_reason__in=[ClosingReason.ACCOMPANIED, ClosingReason.DECLINED],
        )
        | oriented_q()
    )


# The same person counted twice: out of every count of people (its closing is still shown).
NOT_DUPLICATE = ~Q(closing_reason=ClosingReason.DUPLICATE)
# Referrals left on a code's landing page: what its scans convert into.
LANDING_CHANNELS = [Channel.QR, Channel.LINK]


def counted_referrals() -> QuerySet[Referral]:
    """Referrals that count as people sent: those closed as duplicates are not one more."""
    return Referral.objects.filter(NOT_DUPLICATE)


def capteurs_outcomes(
    *, capteur_ids: list[int], start: datetime.datetime, end: datetime.datetime
) -> dict[int, dict[str, int]]:
    """Per capteur, the people it sent between `start` and `end` (`sent`), of which `reached`
    and `oriented` (reached_q, oriented_q): one grouped query. Capteurs that sent nobody are
    absent."""
    rows = (
        counted_referrals()
        .filter(capteur_id__in=capteur_ids, created_at__gte=start, created_at__lt=end)
        .order_by()
        .values("capteur_id")
        .annotate(
            sent=Count("pk"),
            reached=Count("pk", filter=reached_q()),
            oriented=Count("pk", filter=oriented_q()),
        )
    )
    return {row["capteur_id"]: {k: row[k] for k in ("sent", "reached", "oriented")} for row in rows}


def referral_get(*, user: User, pk: int) -> Referral:
    """The referral `pk` if `user` may see it; 404 otherwise (whether it exists or not)."""
    return get_object_or_404(referral_queryset(user=user), pk=pk)


def referral_event_list(*, referral: Referral) -> QuerySet[ReferralEvent]:
    return ReferralEvent.objects.filter(referral=referral).select_related("actor")


def orientation_list(*, referral: Referral) -> QuerySet[Orientation]:
    return Orientation.objects.filter(referral=referral).select_related("structure")


def orientation_get(*, user: User, pk: int) -> Orientation:
    return get_object_or_404(
        Orientation.objects.for_user(user).select_related("referral", "structure"), pk=pk
    )


def facilitator_memberships(
    *, territory_ids: Iterable[int] | QuerySet[Any, Any]
) -> QuerySet[Membership]:
    """The memberships of the active facilitators of these territories: whom referrals may be
    given to (reassignment_targets) and the load table (facilitator_load_list)."""
    return Membership.objects.filter(
        territory_id__in=territory_ids, role=Role.FACILITATOR, user__is_active=True
    )


def reassignment_targets(*, referral: Referral) -> QuerySet[User]:
    """Who `referral` may be given to: the active facilitators of its territory."""
    members = facilitator_memberships(territory_ids=[referral.territory_id])
    return User.objects.filter(pk__in=members.values("user_id"))


def _count_of(referrals: QuerySet[Referral]) -> Coalesce:
    """Per membership (OuterRef user_id, territory_id), how many of `referrals` are the
    member's in that territory: a subquery the (assigned_to, status, territory) index answers."""
    counted = (
        referrals.filter(assigned_to=OuterRef("user_id"), territory=OuterRef("territory_id"))
        .order_by()
        .values("assigned_to")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def facilitator_load_list(
    *, user: User, territory_id: int | None = None, today: datetime.date | None = None
) -> QuerySet[Membership]:
    """The facilitators of `user`'s territories (or of `territory_id` only: 404 when it is not
    one of them), one row per facilitator and territory, with `open_referrals` and `overdue`
    (overdue_q as of `today`) counted there: whom to give a referral to. One query."""
    territories = territories_for(user)
    if territory_id is not None:
        territories = territories.filter(pk=get_object_or_404(territories, pk=territory_id).pk)
    open_referrals = Referral.objects.filter(status__in=OPEN_STATUSES)
    return (
        facilitator_memberships(territory_ids=territories.values("pk"))
        .select_related("user", "territory")
        .annotate(
            open_referrals=_count_of(open_referrals),
            overdue=_count_of(open_referrals.filter(overdue_q(today))),
        )
        .order_by("territory__name", "user__last_name", "user__first_name", "user_id")
    )


def orientable_structures(*, referral: Referral) -> QuerySet[Structure]:
    """Where `referral`'s person may be oriented: the active structures of its territory."""
    return Structure.objects.filter(territory_id=referral.territory_id, is_active=True)


def capteur_summary_list(*, user: User, capteur_id: int) -> QuerySet[CapteurSummary]:
    """What capteur `capteur_id` was sent month by month (404 when `user` may not see it),
    with the delivery status of each message."""
    capteur = get_object_or_404(Capteur.objects.for_user(user), pk=capteur_id)
    return CapteurSummary.objects.filter(capteur=capteur).select_related("notification")


def referrals_past_retention(
    *, territory: Territory, before: datetime.datetime
) -> QuerySet[Referral]:
    """`territory`'s referrals not anonymised yet whose last event (or, with none, their
    reception) is older than `before`: nothing happened to them since. System read (the
    retention job), not scoped to a user."""
    return Referral.objects.filter(
        territory=territory, anonymised_at__isnull=True, created_at__lt=before
    ).exclude(Exists(ReferralEvent.objects.filter(referral=OuterRef("pk"), at__gte=before)))
