from django.urls import path

from backend.visits import apis

urlpatterns = [
    path("visits/", apis.VisitListPlanApi.as_view(), name="visit-list"),
    path("visits/round/", apis.VisitRoundApi.as_view(), name="visit-round"),
    path("visits/calendar-feed/", apis.CalendarFeedApi.as_view(), name="visit-calendar-feed"),
    path("visits/<int:visit_id>/", apis.VisitDetailApi.as_view(), name="visit-detail"),
    path(
        "visits/<int:visit_id>/reschedule/",
        apis.VisitRescheduleApi.as_view(),
        name="visit-reschedule",
    ),
    path("visits/<int:visit_id>/done/", apis.VisitDoneApi.as_view(), name="visit-done"),
    path("visits/<int:visit_id>/cancel/", apis.VisitCancelApi.as_view(), name="visit-cancel"),
]
