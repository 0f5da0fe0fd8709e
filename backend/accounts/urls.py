from django.urls import path

from backend.accounts import apis

urlpatterns = [
    path("auth/login/", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/logout-everywhere/", apis.LogoutEverywhereApi.as_view(), name="auth-logout-all"),
    path("auth/otp/verify/", apis.OtpVerifyApi.as_view(), name="auth-otp-verify"),
    path("auth/otp/enrolment/", apis.OtpEnrolmentApi.as_view(), name="auth-otp-enrolment"),
    path(
        "auth/otp/enrolment/confirm/",
        apis.OtpEnrolmentConfirmApi.as_view(),
        name="auth-otp-enrolment-confirm",
    ),
    path("auth/otp/disable/", apis.OtpDisableApi.as_view(), name="auth-otp-disable"),
    path("auth/me/", apis.MeApi.as_view(), name="auth-me"),
    path("auth/csrf/", apis.CsrfApi.as_view(), name="auth-csrf"),
    path("auth/me/availability/", apis.AvailabilityApi.as_view(), name="auth-availability"),
]
