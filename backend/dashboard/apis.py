"""Dashboard API: one read per widget, each a constant number of queries. Thin: validate the
query → scope (404 for another territory) → perms (403) → one selector → Output serializer."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.capteurs.selectors import capteur_get
from backend.core.errors import require_permission
from backend.core.renderers import FastJSONRenderer
from backend.dashboard import perms, serializers
from backend.dashboard.selectors import network, referrals, scans, summary
from backend.dashboard.selectors.scope import Scope, default_period, user_territories

TERRITORY_PARAMETER = OpenApiParameter(
    "territory",
    OpenApiTypes.INT,
    description="One of the user's territories (default: all of them). Another territory: 404.",
)
PERIOD_PARAMETERS = [
    TERRITORY_PARAMETER,
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description="First day (default: the Monday 11 weeks before the current week's).",
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, included (default: today)."),
]
LIMIT_PARAMETER = OpenApiParameter(
    "limit", OpenApiTypes.INT, description="How many rows (1 to 50, default 10)."
)
NOT_FOUND = OpenApiResponse(description="`territory` is not one of the user's territories.")


def dashboard_scope(request, input_serializer=serializers.PeriodInputSerializer):
    """The request's scope (its `territory`, else all the user's; its period) and the other
    validated query parameters. 400 on a malformed query, 404 for another territory."""
    query = input_serializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    values = dict(query.validated_data)
    territories = user_territories(user=request.user, territory_id=values.pop("territory", None))
    for territory in territories:
        require_permission(
            perms.can_view_dashboard(request.user, territory),
            _("Seuls les membres du territoire peuvent voir son tableau de bord."),
        )
    period = values.pop("period", None) or default_period(timezone.localdate())
    return Scope(user=request.user, territories=tuple(territories), period=period), values


@extend_schema(tags=["dashboard"])
class SummaryApi(APIView):
    """The KPI tiles: referrals received, contacted, met, oriented and closed (per reason) in
    the period; first-contact delay; capteurs by activity and stage; visits; scans and what
    they convert into. Definitions: docs/indicators.md."""

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: serializers.SummaryOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        scope, _values = dashboard_scope(request)
        return Response(serializers.SummaryOutputSerializer(summary.dashboard_summary(scope)).data)


def _period(scope: Scope) -> dict:
    return {"from": scope.period.start, "to": scope.period.end}


@extend_schema(tags=["dashboard"])
class ReferralsPerWeekApi(APIView):
    """Referrals received per ISO week of the period (weeks without any included)."""

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: serializers.WeeksOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        scope, _values = dashboard_scope(request)
        answer = {"period": _period(scope), "weeks": referrals.referrals_per_week(scope)}
        return Response(serializers.WeeksOutputSerializer(answer).data)


@extend_schema(tags=["dashboard"])
class FunnelApi(APIView):
    """The referrals received in the period: how many reached each stage (new → contacted →
    met → oriented, or further), where they are now, how the closed ones ended."""

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: serializers.FunnelOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        scope, _values = dashboard_scope(request)
        answer = {"period": _period(scope), **referrals.referral_funnel(scope)}
        return Response(serializers.FunnelOutputSerializer(answer).data)


@extend_schema(tags=["dashboard"])
class CapteurKindsApi(APIView):
    """Per kind of capteur: partners and active capteurs now; referrals received in the period
    and how many were oriented. Which kinds bring people, and people who are then oriented."""

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: serializers.CapteurKindsOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        scope, _values = dashboard_scope(request)
        answer = {"period": _period(scope), **network.capteur_kinds(scope)}
        return Response(serializers.CapteurKindsOutputSerializer(answer).data)


@extend_schema(tags=["dashboard"])
class TopCapteursApi(APIView):
    """The capteurs that sent the most referrals in the period, with how many were oriented."""

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, LIMIT_PARAMETER],
        responses={200: serializers.TopCapteursOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        scope, values = dashboard_scope(request, serializers.LimitedPeriodInputSerializer)
        answer = {
            "period": _period(scope),
            "capteurs": referrals.top_capteurs(scope, limit=values["limit"]),
        }
        return Response(serializers.TopCapteursOutputSerializer(answer).data)


@extend_schema(tags=["dashboard"])
class SilentCapteursApi(APIView):
    """Dormant partners silent the longest (never sent anyone first), with their last visit:
    whom to go and say hello to. Live: no period."""

    @extend_schema(
        parameters=[TERRITORY_PARAMETER, LIMIT_PARAMETER],
        responses={200: serializers.SilentCapteursOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        scope, values = dashboard_scope(request, serializers.LimitInputSerializer)
        answer = {"capteurs": network.silent_capteurs(scope, limit=values["limit"])}
        return Response(serializers.SilentCapteursOutputSerializer(answer).data)


@extend_schema(tags=["dashboard"])
class CodeConversionsApi(APIView):
    """Scans → referrals per code in the period, the most scanned first."""

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, LIMIT_PARAMETER],
        responses={200: serializers.CodeConversionsOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        scope, values = dashboard_scope(request, serializers.LimitedPeriodInputSerializer)
        answer = {
            "period": _period(scope),
            "codes": scans.code_conversions(scope, limit=values["limit"]),
        }
        return Response(serializers.CodeConversionsOutputSerializer(answer).data)


@extend_schema(tags=["dashboard"])
class CapteurMapApi(APIView):
    """The capteurs (but the withdrawn) as GeoJSON points with kind, stage, activity and
    referrals received in the period; those without coordinates are counted."""

    # Thousands of points: encoded by orjson (the JSON is the same).
    renderer_classes = [FastJSONRenderer]

    @extend_schema(
        parameters=PERIOD_PARAMETERS,
        responses={200: serializers.MapOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        scope, _values = dashboard_scope(request)
        # Built as plain dicts by the selector (thousands of points): no serializer pass.
        return Response(network.capteur_map(scope))


@extend_schema(tags=["dashboard"])
class CapteurHistoryApi(APIView):
    """A capteur's month by month over the last 12 months (referrals, of which oriented, scans,
    visits done) and its last visit. Another territory's capteur: 404."""

    @extend_schema(responses=serializers.CapteurHistoryOutputSerializer)
    def get(self, request, capteur_id):
        capteur = capteur_get(user=request.user, pk=capteur_id)
        require_permission(
            perms.can_view_capteur_history(request.user, capteur),
            _("Seuls les membres du territoire du capteur peuvent voir son historique."),
        )
        history = network.capteur_history(
            user=request.user, capteur=capteur, today=timezone.localdate()
        )
        answer = {"capteur": capteur, **history}
        return Response(serializers.CapteurHistoryOutputSerializer(answer).data)
