from django.urls import path

from backend.referrals import apis

urlpatterns = [
    path(
        "capteurs/<int:capteur_id>/summaries/",
        apis.CapteurSummaryListApi.as_view(),
        name="capteur-summaries",
    ),
    path("referrals/intake/", apis.ReferralIntakeApi.as_view(), name="referral-intake"),
    path("referrals/", apis.ReferralListApi.as_view(), name="referral-list"),
    path(
        "referrals/facilitators/",
        apis.FacilitatorListApi.as_view(),
        name="referral-facilitators",
    ),
    path("referrals/<int:referral_id>/", apis.ReferralDetailApi.as_view(), name="referral-detail"),
    path(
        "referrals/<int:referral_id>/events/",
        apis.ReferralEventListApi.as_view(),
        name="referral-events",
    ),
    path(
        "referrals/<int:referral_id>/attempts/",
        apis.ReferralAttemptApi.as_view(),
        name="referral-attempts",
    ),
    path(
        "referrals/<int:referral_id>/status/",
        apis.ReferralStatusApi.as_view(),
        name="referral-status",
    ),
    path(
        "referrals/<int:referral_id>/reassign/",
        apis.ReferralReassignApi.as_view(),
        name="referral-reassign",
    ),
    path(
        "referrals/<int:referral_id>/notes/", apis.ReferralNoteApi.as_view(), name="referral-notes"
    ),
    path(
        "referrals/<int:referral_id>/orientations/",
        apis.ReferralOrientationListCreateApi.as_view(),
        name="referral-orientations",
    ),
    path(
        "referrals/<int:referral_id>/contact/",
        apis.ReferralContactApi.as_view(),
        name="referral-contact",
    ),
    path(
        "referrals/<int:referral_id>/acknowledgment/resend/",
        apis.ReferralAcknowledgmentResendApi.as_view(),
        name="referral-acknowledgment-resend",
    ),
    path(
        "orientations/<int:orientation_id>/",
        apis.OrientationDetailApi.as_view(),
        name="orientation-detail",
    ),
]
