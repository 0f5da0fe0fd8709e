"""Referrals API: public intake, and the facilitators' triage (list, detail, actions)."""

from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.capteurs.selectors import referral_code_by_token
from backend.core.errors import require_permission
from backend.core.idempotency import idempotent
from backend.referrals import perms, selectors
from backend.referrals.enums import FilledBy
from backend.referrals.filters import ReferralFilter
from backend.referrals.models import AccessLog
from backend.referrals.serializers import (
    PERSONAL_FIELDS,
    AttemptInputSerializer,
    CapteurSummaryOutputSerializer,
    ContactInputSerializer,
    FacilitatorLoadOutputSerializer,
    FacilitatorsInputSerializer,
    IntakeAcknowledgmentSerializer,
    IntakeInputSerializer,
    NoteInputSerializer,
    OrientationOutcomeInputSerializer,
    OrientationOutputSerializer,
    OrientInputSerializer,
    ReassignInputSerializer,
    ReferralEventOutputSerializer,
    ReferralOutputSerializer,
    StatusInputSerializer,
)
from backend.referrals.services import audit, intake, triage
from backend.referrals.throttles import ReferralIPThrottle


@extend_schema(tags=["referrals"])
@method_decorator(sensitive_post_parameters(*PERSONAL_FIELDS), name="dispatch")
class ReferralIntakeApi(APIView):
    """Public intake of a referral from a capteur's code (no login).

    Rate-limited per client address and per code. With an `idempotency_key`, a replay returns
    the first acknowledgment (200) and never a second referral; the same key with another
    payload is 422. JSON only (415 otherwise): the server-rendered form has its own page.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    # A public door takes one format: fewer parsers, fewer ways in (multipart uploads, forms).
    parser_classes = [JSONParser]
    # Per client address on every call; per code only for valid submissions (see post).
    throttle_classes = [ReferralIPThrottle]

    @extend_schema(
        request=IntakeInputSerializer,
        responses={201: IntakeAcknowledgmentSerializer, 200: IntakeAcknowledgmentSerializer},
    )
    def post(self, request):
        data = IntakeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        code = referral_code_by_token(token=values["code"])
        if code is None:
            raise serializers.ValidationError({"code": [_("Ce code n'existe pas.")]})
        try:
            result = intake.referral_submit(
                code=code,
                idempotency_key=values.get("idempotency_key"),
                submission=intake.Submission(
                    first_name=values["first_name"].strip(),
                    phone=str(values["phone"]) if values.get("phone") else "",
                    email=values.get("email", ""),
                    call_moments=values.get("call_moments", []),
                    needs=values.get("needs", []),
                    note=values.get("note", "").strip(),
                    filled_by=FilledBy.PERSON,
                    channel=values["channel"],
                    consent=values["consent"],
                ),
            )
        except intake.CodeInactive as exc:
            raise serializers.ValidationError({"code": [exc.message]}) from exc
        except intake.CodeRateLimited as exc:
            raise exceptions.Throttled(wait=exc.wait) from exc
        return Response(
            IntakeAcknowledgmentSerializer(result.referral).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


def _serializer_context(request):
    return {"request": request}


def _referral_response(request, referral_id, *, response_status=status.HTTP_200_OK):
    referral = selectors.referral_get(user=request.user, pk=referral_id)
    audit.referral_access_record(
        user=request.user, referrals=[referral], action=AccessLog.Action.VIEW
    )
    return Response(
        ReferralOutputSerializer(referral, context=_serializer_context(request)).data,
        status=response_status,
    )


@extend_schema(
    tags=["referrals"],
    parameters=[
        OpenApiParameter(
            "assigned_to",
            str,
            description="me (default for facilitators), all (default for coordinators), none, "
            "or a user id",
        )
    ],
)
class ReferralListApi(generics.ListAPIView):
    """The triage inbox: a facilitator's own referrals by default, newest first."""

    serializer_class = ReferralOutputSerializer
    filterset_class = ReferralFilter
    ordering_fields = ["created_at", "first_contact_due_on"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.referral_list_queryset(user=self.request.user)

    def get_serializer_context(self):
        return self._context

    def list(self, request, *args, **kwargs):
        self._context = _serializer_context(request)
        return super().list(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        audit.referral_access_record(
            user=self.request.user, referrals=page, action=AccessLog.Action.LIST
        )
        return page


class _ReferralActionApi(APIView):
    """A triage action on one referral, allowed to the territory's facilitators."""

    def referral_for_action(self, request, referral_id, *, allowed=perms.can_work_on_referral):
        referral = selectors.referral_get(user=request.user, pk=referral_id)
        if not allowed(request.user, referral):
            raise exceptions.PermissionDenied(
                _("Seuls les facilitateurs du territoire peuvent agir sur une orientation.")
            )
        return referral


@extend_schema(tags=["referrals"])
class ReferralDetailApi(APIView):
    @extend_schema(responses=ReferralOutputSerializer)
    def get(self, request, referral_id):
        return _referral_response(request, referral_id)


@extend_schema(tags=["referrals"])
class ReferralEventListApi(generics.ListAPIView):
    """The timeline of a referral: every action, who, when."""

    serializer_class = ReferralEventOutputSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        referral = selectors.referral_get(user=self.request.user, pk=self.kwargs["referral_id"])
        # Staff notes may speak of the person: their reads are audited like the referral's.
        audit.referral_access_record(
            user=self.request.user, referrals=[referral], action=AccessLog.Action.VIEW
        )
        self._personal_data_visible = perms.can_see_personal_data(self.request.user, referral)
        return selectors.referral_event_list(referral=referral)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "personal_data_visible": getattr(self, "_personal_data_visible", False),
        }


@extend_schema(tags=["referrals"])
class ReferralAttemptApi(_ReferralActionApi):
    """Logs a call, SMS or visit and its outcome."""

    @extend_schema(request=AttemptInputSerializer, responses={201: ReferralOutputSerializer})
    @idempotent
    def post(self, request, referral_id):
        referral = self.referral_for_action(request, referral_id)
        data = AttemptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        triage.referral_log_attempt(referral=referral, actor=request.user, **data.validated_data)
        return _referral_response(request, referral_id, response_status=status.HTTP_201_CREATED)


@extend_schema(tags=["referrals"])
class ReferralStatusApi(_ReferralActionApi):
    """Moves the status (new → contacted → met → oriented → closed, closing needs a reason)."""

    @extend_schema(request=StatusInputSerializer, responses=ReferralOutputSerializer)
    @idempotent
    def post(self, request, referral_id):
        referral = self.referral_for_action(request, referral_id)
        data = StatusInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        triage.referral_move_status(
            referral=referral,
            to_status=data.validated_data["status"],
            closing_reason=data.validated_data.get("closing_reason", ""),
            actor=request.user,
        )
        return _referral_response(request, referral_id)


@extend_schema(tags=["referrals"])
class ReferralReassignApi(_ReferralActionApi):
    """Gives the referral to another facilitator of the territory (facilitators, coordinators)."""

    @extend_schema(request=ReassignInputSerializer, responses=ReferralOutputSerializer)
    @idempotent
    def post(self, request, referral_id):
        referral = self.referral_for_action(
            request, referral_id, allowed=perms.can_reassign_referral
        )
        data = ReassignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        triage.referral_reassign(
            referral=referral, to_user_id=data.validated_data["assigned_to"], actor=request.user
        )
        return _referral_response(request, referral_id)


@extend_schema(tags=["referrals"])
class FacilitatorListApi(APIView):
    """The facilitators of the user's territories (or of `territory`), one row per facilitator
    and territory: open referrals, overdue ones, availability. Whom to reassign a referral to."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "territory",
                int,
                description="One of the user's territories (default: all of them). "
                "Another territory: 404.",
            )
        ],
        responses=FacilitatorLoadOutputSerializer(many=True),
    )
    def get(self, request):
        query = FacilitatorsInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = list(
            selectors.facilitator_load_list(
                user=request.user, territory_id=query.validated_data.get("territory")
            )
        )
        for territory in {row.territory for row in rows}:
            require_permission(
                perms.can_view_facilitators(request.user, territory),
                _("Seuls les membres du territoire peuvent voir ses facilitateurs."),
            )
        return Response(FacilitatorLoadOutputSerializer(rows, many=True).data)


@extend_schema(tags=["referrals"])
class ReferralNoteApi(_ReferralActionApi):
    """Adds a staff note to the timeline."""

    @extend_schema(request=NoteInputSerializer, responses={201: ReferralEventOutputSerializer})
    @idempotent
    def post(self, request, referral_id):
        referral = self.referral_for_action(request, referral_id)
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = triage.referral_add_note(
            referral=referral, text=data.validated_data["text"], actor=request.user
        )
        return Response(ReferralEventOutputSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["referrals"])
class ReferralOrientationListCreateApi(_ReferralActionApi):
    """The structures the person was oriented to (get), and orienting them to one (post)."""

    @extend_schema(responses=OrientationOutputSerializer(many=True))
    def get(self, request, referral_id):
        referral = selectors.referral_get(user=request.user, pk=referral_id)
        return Response(
            OrientationOutputSerializer(
                selectors.orientation_list(referral=referral), many=True
            ).data
        )

    @extend_schema(request=OrientInputSerializer, responses={201: OrientationOutputSerializer})
    @idempotent
    def post(self, request, referral_id):
        referral = self.referral_for_action(request, referral_id)
        data = OrientInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        orientation = triage.referral_orient(
            referral=referral,
            structure_id=data.validated_data["structure"],
            outcome=data.validated_data.get("outcome"),
            actor=request.user,
        )
        return Response(
            OrientationOutputSerializer(orientation).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["referrals"])
class OrientationDetailApi(APIView):
    """Records what came of an orientation (proposed, accepted, started, refused)."""

    @extend_schema(request=OrientationOutcomeInputSerializer, responses=OrientationOutputSerializer)
    def patch(self, request, orientation_id):
        orientation = selectors.orientation_get(user=request.user, pk=orientation_id)
        if not perms.can_work_on_referral(request.user, orientation.referral):
            raise exceptions.PermissionDenied(
                _("Seuls les facilitateurs du territoire peuvent agir sur une orientation.")
            )
        data = OrientationOutcomeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        orientation = triage.orientation_update_outcome(
            orientation=orientation, outcome=data.validated_data["outcome"], actor=request.user
        )
        return Response(OrientationOutputSerializer(orientation).data)


@extend_schema(tags=["referrals"])
class ReferralContactApi(_ReferralActionApi):
    """Corrects the person's phone and/or email (the territory's facilitators). A field left
    out stays as it is; one of the two must remain."""

    @extend_schema(request=ContactInputSerializer, responses=ReferralOutputSerializer)
    def patch(self, request, referral_id):
        referral = self.referral_for_action(request, referral_id)
        data = ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        triage.referral_update_contact(
            referral=referral,
            actor=request.user,
            phone=str(values["phone"]) if "phone" in values else None,
            email=values.get("email"),
        )
        return _referral_response(request, referral_id)


@extend_schema(tags=["referrals"])
class ReferralAcknowledgmentResendApi(_ReferralActionApi):
    """Sends the person's acknowledgment SMS again, to the current number, after it failed
    (409 when nothing failed, when there is no phone, or within 10 minutes of a resend).

    Accepted: the SMS leaves asynchronously; `acknowledgment_sms` in the answer tells where it
    stands (`failed` at once, with the reason, when the number cannot get SMS)."""

    @extend_schema(request=None, responses={202: ReferralOutputSerializer})
    def post(self, request, referral_id):
        referral = self.referral_for_action(request, referral_id)
        triage.referral_resend_acknowledgment(referral=referral, actor=request.user)
        return _referral_response(request, referral_id, response_status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["capteurs"])
class CapteurSummaryListApi(generics.ListAPIView):
    """What a capteur was sent each month: its summary (people sent, reached, oriented) or a
    reminder, and whether the message was delivered."""

    serializer_class = CapteurSummaryOutputSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return selectors.capteur_summary_list(
            user=self.request.user, capteur_id=self.kwargs["capteur_id"]
        )
