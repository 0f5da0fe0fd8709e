from django.urls import path

from backend.privacy import apis

urlpatterns = [
    path("privacy/requests/", apis.PrivacyRequestCreateApi.as_view(), name="privacy-request-list"),
    path(
        "privacy/requests/<int:request_id>/export/",
        apis.PrivacyExportApi.as_view(),
        name="privacy-request-export",
    ),
    path(
        "privacy/requests/<int:request_id>/export.html",
        apis.PrivacyExportHtmlApi.as_view(),
        name="privacy-request-export-html",
    ),
    path(
        "privacy/requests/<int:request_id>/erase/",
        apis.PrivacyEraseApi.as_view(),
        name="privacy-request-erase",
    ),
]
