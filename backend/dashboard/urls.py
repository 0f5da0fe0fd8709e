from django.urls import path

from backend.dashboard import apis, export_apis

urlpatterns = [
    path("dashboard/summary/", apis.SummaryApi.as_view(), name="dashboard-summary"),
    path(
        "dashboard/referrals-per-week/",
        apis.ReferralsPerWeekApi.as_view(),
        name="dashboard-referrals-per-week",
    ),
    path("dashboard/funnel/", apis.FunnelApi.as_view(), name="dashboard-funnel"),
    path(
        "dashboard/by-capteur-kind/",
        apis.CapteurKindsApi.as_view(),
        name="dashboard-by-capteur-kind",
    ),
    path("dashboard/capteurs/top/", apis.TopCapteursApi.as_view(), name="dashboard-top-capteurs"),
    path(
        "dashboard/capteurs/silent/",
        apis.SilentCapteursApi.as_view(),
        name="dashboard-silent-capteurs",
    ),
    path("dashboard/codes/", apis.CodeConversionsApi.as_view(), name="dashboard-codes"),
    path("dashboard/map/", apis.CapteurMapApi.as_view(), name="dashboard-map"),
    path(
        "capteurs/<int:capteur_id>/history/",
        apis.CapteurHistoryApi.as_view(),
        name="capteur-history",
    ),
    path(
        "exports/indicators.csv",
        export_apis.IndicatorsCsvApi.as_view(),
        name="export-indicators-csv",
    ),
    path(
        "exports/indicators.xlsx",
        export_apis.IndicatorsXlsxApi.as_view(),
        name="export-indicators-xlsx",
    ),
    path(
        "exports/referrals.csv",
        export_apis.ReferralsCsvApi.as_view(),
        name="export-referrals-csv",
    ),
]
