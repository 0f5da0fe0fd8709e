from collections.abc import Mapping

from django.contrib.auth import authenticate, login, logout
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers, status, throttling
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import services
from backend.accounts.authentication import (
    OTP_ENROLMENT_REQUIRED,
    OTP_REQUIRED,
    SessionAuthenticationBeforeSecondFactor,
    second_factor_missing,
)
from backend.accounts.models import Membership
from backend.accounts.otp import qr_svg, totp_secret, verify_session
from backend.accounts.selectors import user_with_memberships
from backend.accounts.serializers import MeSerializer
from backend.accounts.services import membership_set_unavailable
from backend.core.cache import FailOpenRateThrottle, fail_open_cache


class LoginIPThrottle(throttling.AnonRateThrottle):
    scope = "login"
    cache = fail_open_cache  # a cache outage must not stop logins (backend.core.cache)


class LoginEmailThrottle(FailOpenRateThrottle):
    """Throttles attempts per target account, whatever the client address."""

    scope = "login"

    def get_cache_key(self, request, view):
        # A DRF request's JSON body, or the admin login form (whose field is "username").
        data = getattr(request, "data", request.POST)
        data = data if isinstance(data, Mapping) else {}
        email = str(data.get("email") or data.get("username") or "").strip().lower()
        if not email:
            return None
        return self.cache_format % {"scope": "login-email", "ident": email}


class OtpIPThrottle(FailOpenRateThrottle):
    """Second-factor codes per client address (the sessions are logged in: not AnonRate)."""

    scope = "otp"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": "otp-ip", "ident": self.get_ident(request)}


class OtpUserThrottle(FailOpenRateThrottle):
    """Second-factor codes per account, whatever the client address."""

    scope = "otp"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": "otp-user", "ident": request.user.pk}


class SecondFactorNeededSerializer(serializers.Serializer):
    second_factor = serializers.ChoiceField(
        choices=[OTP_REQUIRED, OTP_ENROLMENT_REQUIRED],
        help_text=_(
            "otp_required : envoyer un code à /auth/otp/verify/ ; otp_enrolment_required : "
            "activer la double authentification (/auth/otp/enrolment/)."
        ),
    )
    detail = serializers.CharField()


class CodeInputSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=32,
        help_text=_("Le code à 6 chiffres de l'application, ou un code de secours."),
    )


def _me(request):
    return Response(MeSerializer(user_with_memberships(user_id=request.user.id)).data)


@method_decorator(csrf_protect, name="dispatch")
class LoginApi(APIView):
    """Opens a session for the PWA. CSRF-protected: fetch /api/v1/auth/csrf/ first.

    200: logged in. 202: the password was right and a second factor is needed before anything
    else: the code of the user's authenticator app (`otp_required`, POST
    /api/v1/auth/otp/verify/), or, for a coordinator or an admin without one, its enrolment
    (`otp_enrolment_required`). Every other route answers 403 with that code meanwhile.
    """

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [LoginIPThrottle, LoginEmailThrottle]

    class LoginInputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    def get_authenticate_header(self, request):
        # A failed login is a 401 (with a challenge), not a 403: there is no authenticator here.
        return 'Session realm="relais"'

    @extend_schema(
        request=LoginInputSerializer,
        responses={
            200: MeSerializer,
            202: SecondFactorNeededSerializer,
            401: OpenApiResponse(description="Wrong e-mail or password."),
        },
        tags=["auth"],
    )
    def post(self, request):
        data = self.LoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request,
            email=data.validated_data["email"].lower(),
            password=data.validated_data["password"],
        )
        if user is None:
            raise exceptions.AuthenticationFailed(_("E-mail ou mot de passe incorrect."))
        login(request, user)
        missing = second_factor_missing(user)
        if missing:
            denial = _("Saisissez le code de votre application d’authentification.")
            if missing == OTP_ENROLMENT_REQUIRED:
                denial = _(
                    "Votre rôle demande une double authentification : activez-la pour continuer."
                )
            return Response(
                {"second_factor": missing, "detail": denial}, status=status.HTTP_202_ACCEPTED
            )
        return _me(request)


class OtpVerifyApi(APIView):
    """The login's second step: a code of the user's authenticator app, or a recovery code
    (each works once). Throttled like the login."""

    authentication_classes = [SessionAuthenticationBeforeSecondFactor]
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [OtpIPThrottle, OtpUserThrottle]

    @extend_schema(request=CodeInputSerializer, responses={200: MeSerializer}, tags=["auth"])
    def post(self, request):
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device = services.second_factor_verify(user=request.user, code=data.validated_data["code"])
        if device is None:
            raise serializers.ValidationError(
                {"code": [_("Code incorrect ou déjà utilisé : saisissez le code affiché.")]}
            )
        verify_session(request, device)
        return _me(request)


class OtpEnrolmentApi(APIView):
    """Starts the enrolment of an authenticator app: its secret as an otpauth:// link and as
    a QR code (SVG) to scan. Confirmed with a code (POST …/enrolment/confirm/)."""

    authentication_classes = [SessionAuthenticationBeforeSecondFactor]
    permission_classes = [permissions.IsAuthenticated]

    class EnrolmentSerializer(serializers.Serializer):
        otpauth_uri = serializers.CharField()
        secret = serializers.CharField(help_text=_("La clé à saisir à la main (base32)."))
        qr_svg = serializers.CharField(help_text=_("Le QR code de otpauth_uri, en SVG."))

    @extend_schema(
        request=None,
        responses={
            201: EnrolmentSerializer,
            409: OpenApiResponse(description="An authenticator app is enrolled already."),
        },
        tags=["auth"],
    )
    def post(self, request):
        device = services.totp_enrolment_start(user=request.user)
        uri = device.config_url
        body = {"otpauth_uri": uri, "secret": totp_secret(device), "qr_svg": qr_svg(uri)}
        return Response(body, status=status.HTTP_201_CREATED)


class OtpEnrolmentConfirmApi(APIView):
    """Confirms the enrolment with the app's current code; answers the recovery codes, shown
    this once. The session counts as verified from then on."""

    authentication_classes = [SessionAuthenticationBeforeSecondFactor]
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [OtpIPThrottle, OtpUserThrottle]

    class RecoveryCodesSerializer(serializers.Serializer):
        recovery_codes = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        request=CodeInputSerializer, responses={200: RecoveryCodesSerializer}, tags=["auth"]
    )
    def post(self, request):
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        device, codes = services.totp_enrolment_confirm(
            user=request.user, code=data.validated_data["code"]
        )
        verify_session(request, device)
        return Response({"recovery_codes": codes})


class OtpDisableApi(APIView):
    """Turns the second factor off (a lost phone: re-enrol after). Asks for a current code.
    A coordinator or an admin must then enrol again before anything else."""

    throttle_classes = [OtpIPThrottle, OtpUserThrottle]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=CodeInputSerializer, responses={200: MeSerializer}, tags=["auth"])
    def post(self, request):
        data = CodeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if (
            services.second_factor_verify(user=request.user, code=data.validated_data["code"])
            is None
        ):
            raise serializers.ValidationError(
                {"code": [_("Code incorrect ou déjà utilisé : saisissez le code affiché.")]}
            )
        services.second_factor_disable(user=request.user)
        return _me(request)


class LogoutEverywhereApi(APIView):
    """Ends every session of the user, on every device (this one too): a phone left behind,
    a shared computer."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        services.user_logout_everywhere(user=request.user)
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutApi(APIView):
    authentication_classes = [SessionAuthenticationBeforeSecondFactor]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        return _me(request)


@method_decorator(ensure_csrf_cookie, name="dispatch")
class CsrfApi(APIView):
    """Sets the CSRF cookie the PWA sends back in X-CSRFToken."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: inline_serializer("Csrf", {"detail": serializers.CharField()})},
        tags=["auth"],
    )
    def get(self, request):
        return Response({"detail": "ok"})


class AvailabilityApi(APIView):
    """A facilitator marks an absence: until that date, new referrals go to colleagues."""

    permission_classes = [permissions.IsAuthenticated]

    class AvailabilityInputSerializer(serializers.Serializer):
        territory = serializers.IntegerField()
        unavailable_until = serializers.DateField(
            allow_null=True, help_text=_("Dernier jour d'absence ; vide : disponible.")
        )

        def validate_unavailable_until(self, value):
            if value is not None and value < timezone.localdate():
                raise serializers.ValidationError(_("Cette date est déjà passée."))
            return value

    @extend_schema(
        request=AvailabilityInputSerializer, responses={200: MeSerializer}, tags=["auth"]
    )
    def put(self, request):
        data = self.AvailabilityInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = Membership.objects.filter(
            user=request.user, territory_id=data.validated_data["territory"]
        ).first()
        if membership is None:
            raise serializers.ValidationError(
                {"territory": [_("Vous n'êtes pas membre de ce territoire.")]}
            )
        membership_set_unavailable(
            membership=membership, until=data.validated_data["unavailable_until"]
        )
        return Response(MeSerializer(user_with_memberships(user_id=request.user.id)).data)
