from django.urls import path

from backend.capteurs import apis, print_apis

urlpatterns = [
    path("capteurs/", apis.CapteurListCreateApi.as_view(), name="capteur-list"),
    path("capteurs/<int:capteur_id>/", apis.CapteurDetailApi.as_view(), name="capteur-detail"),
    path("capteurs/<int:capteur_id>/stage/", apis.CapteurStageApi.as_view(), name="capteur-stage"),
    path(
        "capteurs/<int:capteur_id>/stage-changes/",
        apis.CapteurStageChangeListApi.as_view(),
        name="capteur-stage-changes",
    ),
    path(
        "capteurs/<int:capteur_id>/codes/",
        apis.CapteurCodeListIssueApi.as_view(),
        name="capteur-codes",
    ),
    path("capteurs/<int:capteur_id>/space/", apis.CapteurSpaceApi.as_view(), name="capteur-space"),
    path(
        "capteurs/<int:capteur_id>/space/send/",
        apis.CapteurSpaceSendApi.as_view(),
        name="capteur-space-send",
    ),
    path(
        "capteurs/<int:capteur_id>/space/qr.svg",
        print_apis.CapteurSpaceQrSvgApi.as_view(),
        name="capteur-space-qr-svg",
    ),
    path(
        "capteurs/<int:capteur_id>/space/welcome.pdf",
        print_apis.CapteurSpaceWelcomeApi.as_view(),
        name="capteur-space-welcome",
    ),
    path("codes/<int:code_id>/", apis.CodeDetailApi.as_view(), name="code-detail"),
    path("codes/<int:code_id>/revoke/", apis.CodeRevokeApi.as_view(), name="code-revoke"),
    path("codes/<int:code_id>/qr.svg", print_apis.CodeQrSvgApi.as_view(), name="code-qr-svg"),
    path("codes/<int:code_id>/qr.png", print_apis.CodeQrPngApi.as_view(), name="code-qr-png"),
    path("codes/<int:code_id>/poster.pdf", print_apis.CodePosterApi.as_view(), name="code-poster"),
    path(
        "codes/<int:code_id>/stickers.pdf",
        print_apis.CodeStickersApi.as_view(),
        name="code-stickers",
    ),
]
