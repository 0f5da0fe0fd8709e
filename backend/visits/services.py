"""Writes on visits and calendar feeds. The API, the planning job, the admin and the demo seed
all call these.

A visit moves along VISIT_TRANSITIONS (planned → done | cancelled); a planned visit may also be
rescheduled. Every move writes a VisitEvent in the same transaction (actor None: the planning
job). Event payloads hold dates, ids and stages only: never what the outcome says.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backend.accounts.enums import Role
from backend.accounts.models import Membership, User
from backend.capteurs.enums import Stage
from backend.capteurs.models import Capteur
from backend.capteurs.services import capteur_move_stage
from backend.core.errors import DomainError
from backend.visits.enums import VISIT_TRANSITIONS, VisitEventKind, VisitStatus
from backend.visits.models import CalendarFeed, Visit, VisitEvent

FEED_SECRET_BYTES = 24  # 192 bits, URL-safe base64: 32 characters


def _event(visit: Visit, kind: VisitEventKind, actor: User | None, **payload: object) -> VisitEvent:
    return VisitEvent.objects.create(visit=visit, kind=kind, actor=actor, payload=payload)


def _locked(visit: Visit) -> Visit:
    return Visit.objects.select_for_update().select_related("capteur").get(pk=visit.pk)


def _check_facilitator(*, territory_id: int, facilitator: User | None) -> None:
    """A visit is done by an active facilitator of its territory (ValidationError if not)."""
    if (
        facilitator is None
        or not facilitator.is_active
        or not Membership.objects.filter(
            user=facilitator, territory_id=territory_id, role=Role.FACILITATOR
        ).exists()
    ):
        raise ValidationError(
            {"facilitator": _("Choisissez un facilitateur actif du territoire du capteur.")}
        )


def _move(visit: Visit, to_status: VisitStatus) -> VisitStatus:
    """Checks a locked visit may move to `to_status` (DomainError 409 if not) and sets it.
    Returns the status it leaves; the caller saves and writes the event."""
    from_status = VisitStatus(visit.status)
    if to_status not in VISIT_TRANSITIONS[from_status]:
        if not VISIT_TRANSITIONS[from_status]:
            message = _("Cette visite est « %(from)s » : elle ne peut plus changer.") % {
                "from": from_status.label
            }
        else:
            allowed = ", ".join(str(s.label) for s in sorted(VISIT_TRANSITIONS[from_status]))
            message = _(
                "Une visite « %(from)s » ne peut pas passer à « %(to)s ». "
                "Statuts possibles : %(allowed)s."
            ) % {"from": from_status.label, "to": to_status.label, "allowed": allowed}
        raise DomainError(message, code="illegal_visit_transition")
    visit.status = to_status
    return from_status


@transaction.atomic
def visit_plan(
    *,
    capteur: Capteur,
    facilitator: User | None,
    kind: str,
    planned_on: datetime.date,
    actor: User | None,
    auto_planned: bool = False,
    note: str = "",
) -> Visit:
    """Plans a visit of `facilitator` to `capteur` on `planned_on`.

    Raises ValidationError when `facilitator` is not an active facilitator of the capteur's
    territory, DomainError (409) when the capteur left the network. Any date is taken (the
    API refuses past ones; the demo seed plans in the past).
    `auto_planned` and `actor` None: the daily planning job (backend.visits.planning).
    `note`: why one goes there (kept out of the event, like every text).
    """
    if capteur.stage == Stage.WITHDRAWN:
        raise DomainError(
            _("Ce capteur s'est retiré du réseau : on ne planifie plus de visite chez lui."),
            code="capteur_withdrawn",
        )
    _check_facilitator(territory_id=capteur.territory_id, facilitator=facilitator)
    visit = Visit(
        territory_id=capteur.territory_id,
        capteur=capteur,
        facilitator=facilitator,
        kind=kind,
        planned_on=planned_on,
        auto_planned=auto_planned,
        note=note,
    )
    # The relations were checked above: validate the fields without reloading them.
    visit.full_clean(exclude=["territory", "capteur", "facilitator"])
    visit.save()
    _event(
        visit,
        VisitEventKind.PLANNED,
        actor,
        planned_on=planned_on.isoformat(),
        facilitator=facilitator.pk if facilitator else None,
        auto=auto_planned,
    )
    return visit


@transaction.atomic
def visit_reschedule(*, visit: Visit, planned_on: datetime.date, actor: User | None) -> Visit:
    """Moves a planned visit to another day (the API refuses past ones). The same day changes
    nothing. Raises DomainError (409) when the visit is done or cancelled."""
    visit = _locked(visit)
    if visit.status != VisitStatus.PLANNED:
        raise DomainError(
            _("Seule une visite prévue peut être reportée ; celle-ci est « %(status)s ».")
            % {"status": VisitStatus(visit.status).label},
            code="visit_not_planned",
        )
    if planned_on == visit.planned_on:
        return visit
    previous = visit.planned_on
    visit.planned_on = planned_on
    visit.save(update_fields=["planned_on", "updated_at"])
    _event(
        visit,
        VisitEventKind.RESCHEDULED,
        actor,
        **{"from": previous.isoformat(), "to": planned_on.isoformat()},
    )
    return visit


@transaction.atomic
def visit_record_done(
    *,
    visit: Visit,
    done_on: datetime.date,
    outcome: str,
    next_step: str,
    actor: User | None,
    capteur_stage: str | None = None,
) -> Visit:
    """Records a planned visit as done on `done_on` (the API refuses future dates), with what
    came of it.

    Keeps the capteur's `last_visit_on` at its latest done visit. `capteur_stage`, when given
    and different from the capteur's stage, moves the capteur along its pipeline through
    backend.capteurs.services.capteur_move_stage (its rules apply; the caller checks who may
    withdraw a capteur, see backend.capteurs.perms). Raises DomainError (409) when the visit is
    not planned any more or the pipeline refuses the move (nothing is then recorded).
    """
    visit = _locked(visit)
    from_status = _move(visit, VisitStatus.DONE)
    visit.done_on = done_on
    visit.outcome = outcome
    visit.next_step = next_step
    visit.full_clean(exclude=["territory", "capteur", "facilitator"])
    visit.save(update_fields=["status", "done_on", "outcome", "next_step", "updated_at"])
    # max(existing, done_on) in one UPDATE: recording an older visit late never moves it back.
    Capteur.objects.filter(pk=visit.capteur_id).filter(
        Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=done_on)
    ).update(last_visit_on=done_on)
    payload: dict[str, object] = {
        "from": from_status.value,
        "to": VisitStatus.DONE.value,
        "done_on": str(done_on),
    }
    if capteur_stage is not None and capteur_stage != visit.capteur.stage:
        capteur = capteur_move_stage(
            capteur=visit.capteur,
            to_stage=capteur_stage,
            actor=actor,
            note=_("Lors de la visite du %(date)s.")
            % {"date": date_format(done_on, "SHORT_DATE_FORMAT")},
        )
        payload["capteur_stage"] = capteur.stage
    _event(visit, VisitEventKind.DONE, actor, **payload)
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, actor: User | None, reason: str = "") -> Visit:
    """Cancels a planned visit (DomainError 409 when it is done or cancelled already)."""
    visit = _locked(visit)
    from_status = _move(visit, VisitStatus.CANCELLED)
    visit.save(update_fields=["status", "updated_at"])
    _event(
        visit,
        VisitEventKind.CANCELLED,
        actor,
        **{"from": from_status.value, "to": VisitStatus.CANCELLED.value, "reason": reason},
    )
    return visit


# --- Calendar feed ------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """Gives `user` a calendar feed behind a new secret (192 random bits); a previous secret
    stops working at once (a lost phone, a calendar shared by mistake)."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        user=user, defaults={"secret": secrets.token_urlsafe(FEED_SECRET_BYTES)}
    )
    if not created:
        feed.secret = secrets.token_urlsafe(FEED_SECRET_BYTES)
        feed.created_at = timezone.now()
        feed.save(update_fields=["secret", "created_at"])
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    """Closes `user`'s calendar feed: its URL answers 404 from now on. Idempotent."""
    CalendarFeed.objects.filter(user=user).delete()
