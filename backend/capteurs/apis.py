"""Capteur registry and referral codes API. Thin: validate, call a service or selector, render."""

from collections.abc import Callable

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.capteurs import perms, selectors, services
from backend.capteurs.enums import Stage
from backend.capteurs.filters import CapteurFilter
from backend.capteurs.models import Capteur
from backend.capteurs.serializers import (
    CapteurInputSerializer,
    CapteurOutputSerializer,
    ReferralCodeIssueInputSerializer,
    ReferralCodeOutputSerializer,
    ReferralCodeRevokeInputSerializer,
    ReferralCodeRevokeOutputSerializer,
    StageChangeOutputSerializer,
    StageMoveInputSerializer,
)
from backend.core.errors import require_permission
from backend.core.idempotency import idempotent
from backend.notifications.enums import Channel as NotificationChannel
from backend.notifications.enums import NotificationStatus


def require(allowed: bool, message: str | None = None) -> None:
    """403 with `message`, or the app's own, when a perms predicate said no."""
    require_permission(
        allowed, message or _("Seuls les membres du territoire du capteur peuvent faire cela.")
    )


def capteur_for(request, capteur_id, *, allowed: Callable[..., bool]) -> Capteur:
    """The capteur `capteur_id` if the user sees it (404 otherwise, by scoping) and may do what
    `allowed` (a predicate of backend.capteurs.perms) checks (403 otherwise)."""
    capteur = selectors.capteur_get(user=request.user, pk=capteur_id)
    require(allowed(request.user, capteur))
    return capteur


def _capteur_output(request, capteur_id):
    capteur = selectors.capteur_get(user=request.user, pk=capteur_id)
    return CapteurOutputSerializer(capteur, context={"request": request}).data


@extend_schema(tags=["capteurs"])
class CapteurListCreateApi(generics.ListAPIView):
    """Capteurs of the user's territories, with their computed activity."""

    serializer_class = CapteurOutputSerializer
    filterset_class = CapteurFilter
    ordering_fields = [
        "name",
        "city",
        "created_at",
        "updated_at",
        "last_referral_at",
        "last_visit_on",
        "scans_30d",
    ]
    ordering = ["-created_at"]

    def get_queryset(self):
        return selectors.capteur_queryset(user=self.request.user)

    @extend_schema(request=CapteurInputSerializer, responses={201: CapteurOutputSerializer})
    @idempotent
    def post(self, request):
        data = CapteurInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        require(perms.can_register_capteur(request.user, data.validated_data["territory"]))
        capteur = services.capteur_create(actor=request.user, **data.validated_data)
        return Response(_capteur_output(request, capteur.id), status=status.HTTP_201_CREATED)


@extend_schema(tags=["capteurs"])
class CapteurDetailApi(APIView):
    @extend_schema(responses=CapteurOutputSerializer)
    def get(self, request, capteur_id):
        capteur = capteur_for(request, capteur_id, allowed=perms.can_view_capteur)
        return Response(CapteurOutputSerializer(capteur, context={"request": request}).data)

    @extend_schema(request=CapteurInputSerializer, responses=CapteurOutputSerializer)
    def patch(self, request, capteur_id):
        capteur = capteur_for(request, capteur_id, allowed=perms.can_edit_capteur)
        data = CapteurInputSerializer(
            capteur, data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        if (
            "referent" in data.validated_data
            and data.validated_data["referent"] != capteur.referent
        ):
            require(perms.can_change_capteur_referent(request.user, capteur))
        services.capteur_update(capteur=capteur, actor=request.user, **data.validated_data)
        return Response(_capteur_output(request, capteur.id))


@extend_schema(tags=["capteurs"])
class CapteurStageApi(APIView):
    """Moves a capteur along the pipeline (prospect → partner → paused / withdrawn).

    Withdrawing revokes all its codes and closes its space: only its référent facilitator and
    the territory's coordinators may (403 for the other facilitators)."""

    @extend_schema(request=StageMoveInputSerializer, responses=CapteurOutputSerializer)
    def post(self, request, capteur_id):
        capteur = selectors.capteur_get(user=request.user, pk=capteur_id)
        data = StageMoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["stage"] == Stage.WITHDRAWN:
            require(
                perms.can_withdraw_capteur(request.user, capteur),
                _(
                    "Seuls le facilitateur référent du capteur et les coordinateurs du territoire "
                    "peuvent le retirer du réseau."
                ),
            )
        else:
            require(perms.can_move_capteur_stage(request.user, capteur))
        services.capteur_move_stage(
            capteur=capteur,
            to_stage=data.validated_data["stage"],
            note=data.validated_data.get("note", ""),
            actor=request.user,
        )
        return Response(_capteur_output(request, capteur.id))


@extend_schema(tags=["capteurs"])
class CapteurStageChangeListApi(generics.ListAPIView):
    """The pipeline history of a capteur, newest first."""

    serializer_class = StageChangeOutputSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        capteur = capteur_for(
            self.request, self.kwargs["capteur_id"], allowed=perms.can_view_capteur
        )
        return selectors.stage_change_list(capteur=capteur)


@extend_schema(tags=["codes"])
class CapteurCodeListIssueApi(generics.ListAPIView):
    """The referral codes of a capteur (list), and issuing a new one (post)."""

    serializer_class = ReferralCodeOutputSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        capteur = capteur_for(
            self.request, self.kwargs["capteur_id"], allowed=perms.can_view_capteur
        )
        return selectors.referral_code_list(capteur=capteur).select_related("capteur")

    @extend_schema(
        request=ReferralCodeIssueInputSerializer, responses={201: ReferralCodeOutputSerializer}
    )
    @idempotent
    def post(self, request, capteur_id):
        capteur = capteur_for(request, capteur_id, allowed=perms.can_issue_code)
        data = ReferralCodeIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        code = services.referral_code_issue(
            capteur=capteur, actor=request.user, label=data.validated_data.get("label", "")
        )
        return Response(ReferralCodeOutputSerializer(code).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["codes"])
class CodeDetailApi(APIView):
    @extend_schema(responses=ReferralCodeOutputSerializer)
    def get(self, request, code_id):
        code = selectors.referral_code_get(user=request.user, pk=code_id)
        require(perms.can_view_capteur(request.user, code.capteur))
        return Response(ReferralCodeOutputSerializer(code).data)


@extend_schema(tags=["codes"])
class CodeRevokeApi(APIView):
    """Revokes a code (lost or defaced poster), optionally issuing its replacement at once."""

    @extend_schema(
        request=ReferralCodeRevokeInputSerializer, responses=ReferralCodeRevokeOutputSerializer
    )
    def post(self, request, code_id):
        code = selectors.referral_code_get(user=request.user, pk=code_id)
        require(perms.can_revoke_code(request.user, code))
        data = ReferralCodeRevokeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reissued = services.referral_code_revoke(
            code=code, actor=request.user, reissue=data.validated_data["reissue"]
        )
        revoked = get_object_or_404(selectors.referral_code_queryset(user=request.user), pk=code.pk)
        return Response(
            {
                "revoked": ReferralCodeOutputSerializer(revoked).data,
                "reissued": ReferralCodeOutputSerializer(reissued).data if reissued else None,
            }
        )


@extend_schema(tags=["capteurs"])
class CapteurSpaceApi(APIView):
    """The capteur space's secret link: issue or reissue it (post), close it (delete)."""

    @extend_schema(request=None, responses=CapteurOutputSerializer)
    def post(self, request, capteur_id):
        capteur = capteur_for(request, capteur_id, allowed=perms.can_manage_capteur_space)
        services.capteur_space_issue(capteur=capteur, actor=request.user)
        return Response(_capteur_output(request, capteur.id))

    # 200 with the capteur (drf-spectacular documents a bare DELETE as 204).
    @extend_schema(request=None, responses={200: CapteurOutputSerializer})
    def delete(self, request, capteur_id):
        capteur = capteur_for(request, capteur_id, allowed=perms.can_manage_capteur_space)
        services.capteur_space_revoke(capteur=capteur, actor=request.user)
        return Response(_capteur_output(request, capteur.id))


class CapteurSpaceSendInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=NotificationChannel.choices, default=NotificationChannel.SMS
    )
    phone = PhoneNumberField(
        required=False,
        allow_blank=True,
        help_text=_("Un autre mobile (celui du gérant) ; par défaut, le numéro du capteur."),
    )
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        help_text=_("Une autre adresse ; par défaut, l'e-mail du capteur."),
    )


@extend_schema(tags=["capteurs"])
class CapteurSpaceSendApi(APIView):
    """Sends the capteur its space link, on request: by SMS (`phone`: another mobile given in
    the shop, else the capteur's number) or by e-mail (`email`, else the capteur's address).
    409 without a space, or with nowhere to send.

    Accepted: the message leaves asynchronously. `status` says where it stands; a number that
    cannot get SMS (a landline) is `failed` at once, and `detail` says why.
    """

    @extend_schema(
        request=CapteurSpaceSendInputSerializer,
        responses={
            202: inline_serializer(
                "CapteurSpaceSendOutput",
                {
                    # A string, not an enum: see AcknowledgmentSmsOutputSerializer.status.
                    "status": serializers.CharField(help_text=", ".join(NotificationStatus.values)),
                    "detail": serializers.CharField(),
                },
            )
        },
    )
    def post(self, request, capteur_id):
        capteur = capteur_for(request, capteur_id, allowed=perms.can_manage_capteur_space)
        data = CapteurSpaceSendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        notification = services.capteur_space_link_send(
            capteur=capteur,
            actor=request.user,
            channel=values["channel"],
            phone=str(values["phone"]) if values.get("phone") else "",
            email=values.get("email", ""),
        )
        # Delivery ran after commit (at once without a broker): read where it stands.
        notification.refresh_from_db(fields=["status", "last_error"])
        return Response(
            {"status": notification.status, "detail": notification.last_error},
            status=status.HTTP_202_ACCEPTED,
        )
