"""Exports: the funder indicators (CSV, XLSX) and the pseudonymised referrals (CSV, streamed).

Coordinators only (backend.dashboard.perms). The files carry no personal data, so downloading
one writes no AccessLog; the log says who exported what (ids and months, no data).
"""

import logging
from collections.abc import Callable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from backend.accounts.models import Territory, User
from backend.dashboard import exports, perms
from backend.dashboard.selectors.exports import referral_export_rows
from backend.dashboard.selectors.indicators import monthly_indicators
from backend.dashboard.selectors.scope import Scope, user_territories
from backend.dashboard.serializers import MonthsInputSerializer

logger = logging.getLogger(__name__)

MONTH_PARAMETERS = [
    OpenApiParameter(
        "territory",
        OpenApiTypes.INT,
        description="One of the territories the user coordinates (default: all of them). "
        "Another territory: 404; one where the user is a facilitator: 403.",
    ),
    OpenApiParameter(
        "from",
        OpenApiTypes.STR,
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="First month, YYYY-MM (default: 11 months before the current one).",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.STR,
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="Last month, YYYY-MM, included (default: the current month).",
    ),
]


def _file_schema(*, operation_id: str, media_type: str, description: str):
    return extend_schema(
        tags=["exports"],
        operation_id=operation_id,
        parameters=MONTH_PARAMETERS,
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description),
            403: OpenApiResponse(description="The user coordinates none of these territories."),
            404: OpenApiResponse(description="`territory` is not one of the user's territories."),
        },
    )


class _ExportApi(APIView):
    """A file download. Success bodies are a file whatever the Accept header; errors are
    problem details: so no content negotiation, hence no 406."""

    renderer_classes = [JSONRenderer]
    allowed: Callable[[User, Territory], bool]
    what: str  # for the log and the file name

    def perform_content_negotiation(self, request, force=False):
        renderer = self.get_renderers()[0]
        return renderer, renderer.media_type

    def export_scope(self, request) -> Scope:
        """The territories to export (the requested one, else every one the user may export),
        over whole months. 404 for another territory, 403 where the user may not export."""
        query = MonthsInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        territory_id = query.validated_data.get("territory")
        territories = [
            territory
            for territory in user_territories(user=request.user, territory_id=territory_id)
            if self.allowed(request.user, territory)
        ]
        if not territories:
            raise exceptions.PermissionDenied(
                _("Seuls les coordinateurs du territoire peuvent télécharger les exports.")
            )
        scope = Scope(
            user=request.user,
            territories=tuple(territories),
            period=query.validated_data["period"],
        )
        logger.info(
            "export %s by user %s: territories %s, %s to %s",
            self.what,
            request.user.pk,
            ",".join(str(pk) for pk in scope.territory_ids),
            scope.period.start.strftime("%Y-%m"),
            scope.period.end.strftime("%Y-%m"),
        )
        return scope

    def filename(self, scope: Scope, extension: str) -> str:
        slug = scope.territories[0].slug if len(scope.territories) == 1 else "territoires"
        months = f"{scope.period.start:%Y-%m}_{scope.period.end:%Y-%m}"
        return f"relais-{self.what}-{slug}-{months}.{extension}"

    def attach(self, response, scope: Scope, extension: str):
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=self.filename(scope, extension)
        )
        patch_cache_control(response, private=True, no_store=True)
        return response


class IndicatorsCsvApi(_ExportApi):
    """The funder indicators per month and per territory, as CSV for Excel in French (UTF-8
    with BOM, `;`, decimal comma). Definitions: docs/indicators.md."""

    allowed = staticmethod(perms.can_export_indicators)
    what = "indicateurs"

    @_file_schema(
        operation_id="exports_indicators_csv",
        media_type="text/csv",
        description="One row per territory and month.",
    )
    def get(self, request):
        scope = self.export_scope(request)
        body = exports.indicators_csv(monthly_indicators(scope))
        return self.attach(HttpResponse(body, content_type=exports.CSV_CONTENT_TYPE), scope, "csv")


class IndicatorsXlsxApi(_ExportApi):
    """The funder indicators per month and per territory, as an Excel workbook (a sheet of
    numbers, a sheet of definitions)."""

    allowed = staticmethod(perms.can_export_indicators)
    what = "indicateurs"

    @_file_schema(
        operation_id="exports_indicators_xlsx",
        media_type=exports.XLSX_CONTENT_TYPE,
        description="Sheets « Indicateurs » (one row per territory and month) and « Définitions ».",
    )
    def get(self, request):
        scope = self.export_scope(request)
        body = exports.indicators_xlsx(monthly_indicators(scope))
        return self.attach(
            HttpResponse(body, content_type=exports.XLSX_CONTENT_TYPE), scope, "xlsx"
        )


class ReferralsCsvApi(_ExportApi):
    """The referrals received in the months, pseudonymised (reference R-2026-000123; no name,
    phone, email or note), one per line, streamed as CSV for Excel in French."""

    allowed = staticmethod(perms.can_export_referrals)
    what = "orientations"

    @_file_schema(
        operation_id="exports_referrals_csv",
        media_type="text/csv",
        description="One row per referral received in the months, oldest first.",
    )
    def get(self, request):
        scope = self.export_scope(request)
        response = StreamingHttpResponse(
            exports.referrals_csv_lines(referral_export_rows(scope)),
            content_type=exports.CSV_CONTENT_TYPE,
        )
        return self.attach(response, scope, "csv")
