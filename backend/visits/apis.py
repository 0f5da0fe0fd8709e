"""Visits API: list and plan, the lifecycle actions, the day's round, the calendar feed link.
Thin: validate the shape, call one service or selector, render."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.capteurs import perms as capteur_perms
from backend.capteurs.enums import Stage
from backend.core.errors import require_permission
from backend.core.idempotency import idempotent
from backend.visits import perms, selectors, services
from backend.visits.filters import VisitFilter
from backend.visits.models import CalendarFeed, Visit
from backend.visits.serializers import (
    CalendarFeedOutputSerializer,
    RoundOutputSerializer,
    RoundQuerySerializer,
    VisitCancelInputSerializer,
    VisitDetailOutputSerializer,
    VisitDoneInputSerializer,
    VisitOutputSerializer,
    VisitPlanInputSerializer,
    VisitRescheduleInputSerializer,
)


def require(allowed: bool, message: str | None = None) -> None:
    """403 with `message`, or the app's own, when a perms predicate said no."""
    require_permission(
        allowed, message or _("Seuls les membres du territoire de la visite peuvent faire cela.")
    )


def _visit_response(request, visit_id, *, response_status=status.HTTP_200_OK):
    visit = selectors.visit_detail(user=request.user, pk=visit_id)
    return Response(VisitDetailOutputSerializer(visit).data, status=response_status)


@extend_schema(tags=["visits"])
class VisitListPlanApi(generics.ListAPIView):
    """The visits of the user's territories, whoever does them (`facilitator=me` for one's
    own), latest planned first; and planning one (post). The writes of this app honour the
    `Idempotency-Key` header (backend.core.idempotency): the PWA's outbox replays them."""

    serializer_class = VisitOutputSerializer
    filterset_class = VisitFilter
    ordering_fields = ["planned_on", "created_at"]
    ordering = ["-planned_on"]

    def get_queryset(self):
        return selectors.visit_queryset(user=self.request.user)

    @extend_schema(request=VisitPlanInputSerializer, responses={201: VisitDetailOutputSerializer})
    @idempotent
    def post(self, request):
        data = VisitPlanInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        capteur = data.validated_data["capteur"]
        require(perms.can_plan_visit(request.user, capteur))
        visit = services.visit_plan(
            capteur=capteur,
            facilitator=data.validated_data.get("facilitator", request.user),
            kind=data.validated_data["kind"],
            planned_on=data.validated_data["planned_on"],
            note=data.validated_data["note"],
            actor=request.user,
        )
        return _visit_response(request, visit.id, response_status=status.HTTP_201_CREATED)


@extend_schema(tags=["visits"])
class VisitDetailApi(APIView):
    @extend_schema(responses=VisitDetailOutputSerializer)
    def get(self, request, visit_id):
        visit = selectors.visit_detail(user=request.user, pk=visit_id)
        require(perms.can_view_visit(request.user, visit))
        return Response(VisitDetailOutputSerializer(visit).data)


def _visit_for(request, visit_id, allowed) -> Visit:
    """The visit `visit_id` if the user sees it (404 otherwise, by scoping) and `allowed`
    (a predicate of backend.visits.perms) says they may act on it (403 otherwise)."""
    visit = selectors.visit_get(user=request.user, pk=visit_id)
    require(allowed(request.user, visit))
    return visit


@extend_schema(tags=["visits"])
class VisitRescheduleApi(APIView):
    """Moves a planned visit to another day (409 when it is done or cancelled)."""

    @extend_schema(request=VisitRescheduleInputSerializer, responses=VisitDetailOutputSerializer)
    @idempotent
    def post(self, request, visit_id):
        visit = _visit_for(request, visit_id, perms.can_reschedule_visit)
        data = VisitRescheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.visit_reschedule(
            visit=visit, planned_on=data.validated_data["planned_on"], actor=request.user
        )
        return _visit_response(request, visit_id)


@extend_schema(tags=["visits"])
class VisitDoneApi(APIView):
    """Records a planned visit as done, with its outcome and next step, and optionally the
    capteur's new stage (withdrawing it: its référent and the coordinators only). 409 when the
    visit is not planned any more or the pipeline refuses the move; then nothing changes."""

    @extend_schema(request=VisitDoneInputSerializer, responses=VisitDetailOutputSerializer)
    @idempotent
    def post(self, request, visit_id):
        visit = _visit_for(request, visit_id, perms.can_record_visit)
        data = VisitDoneInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stage = data.validated_data.get("capteur_stage")
        if stage is not None and stage != visit.capteur.stage:
            if stage == Stage.WITHDRAWN:
                require(
                    capteur_perms.can_withdraw_capteur(request.user, visit.capteur),
                    _(
                        "Seuls le facilitateur référent du capteur et les coordinateurs du "
                        "territoire peuvent le retirer du réseau."
                    ),
                )
            else:
                require(capteur_perms.can_move_capteur_stage(request.user, visit.capteur))
        services.visit_record_done(visit=visit, actor=request.user, **data.validated_data)
        return _visit_response(request, visit_id)


@extend_schema(tags=["visits"])
class VisitCancelApi(APIView):
    """Cancels a planned visit (409 when it is done or cancelled already)."""

    @extend_schema(request=VisitCancelInputSerializer, responses=VisitDetailOutputSerializer)
    @idempotent
    def post(self, request, visit_id):
        visit = _visit_for(request, visit_id, perms.can_cancel_visit)
        data = VisitCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.visit_cancel(visit=visit, actor=request.user, **data.validated_data)
        return _visit_response(request, visit_id)


@extend_schema(tags=["visits"])
class VisitRoundApi(APIView):
    """The logged-in facilitator's round ("tournée") of a day: their visits planned that day,
    and those planned before and still not done (`overdue`), in a short route order from their
    start point, as the crow flies. Stops without coordinates come last."""

    @extend_schema(parameters=[RoundQuerySerializer], responses=RoundOutputSerializer)
    def get(self, request):
        query = RoundQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        round_ = selectors.visit_round(user=request.user, day=query.validated_data["date"])
        return Response(RoundOutputSerializer(round_).data)


def _feed_output(feed: CalendarFeed | None) -> dict:
    if feed is None:
        return {"url": None, "webcal_url": None, "created_at": None}
    url = settings.PUBLIC_BASE_URL + reverse("visit-calendar-ics", kwargs={"secret": feed.secret})
    return {
        "url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
        "created_at": feed.created_at,
    }


@extend_schema(tags=["visits"])
class CalendarFeedApi(APIView):
    """The logged-in user's calendar feed of their visits (ICS), behind a secret link that a
    phone's calendar subscribes to: see it (get), open or rotate it (post: the previous link
    stops working), close it (delete)."""

    @extend_schema(responses=CalendarFeedOutputSerializer)
    def get(self, request):
        feed = selectors.calendar_feed_get(user=request.user)
        return Response(CalendarFeedOutputSerializer(_feed_output(feed)).data)

    @extend_schema(request=None, responses={201: CalendarFeedOutputSerializer})
    def post(self, request):
        feed = services.calendar_feed_rotate(user=request.user)
        return Response(
            CalendarFeedOutputSerializer(_feed_output(feed)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        services.calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
