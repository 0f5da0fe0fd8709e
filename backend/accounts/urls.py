from django.urls import path

from backend.accounts import apis

urlpatterns = [
    path("auth/login/", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me/", apis.MeApi.as_view(), name="auth-me"),
    path("auth/csrf/", apis.CsrfApi.as_view(), name="auth-csrf"),
    path("auth/me/availability/", apis.AvailabilityApi.as_view(), name="auth-availability"),
]
