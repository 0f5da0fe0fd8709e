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

from backend.accounts.models import Membership
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


@method_decorator(csrf_protect, name="dispatch")
class LoginApi(APIView):
    """Opens a session for the PWA. CSRF-protected: fetch /api/v1/auth/csrf/ first."""

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
        return Response(MeSerializer(user_with_memberships(user_id=user.id)).data)


class LogoutApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, tags=["auth"])
    def post(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, tags=["auth"])
    def get(self, request):
        return Response(MeSerializer(user_with_memberships(user_id=request.user.id)).data)


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
