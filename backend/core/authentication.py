from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF session authentication for the same-origin PWA.

    Answers 401 (not 403) to anonymous requests: the PWA treats 401 as "log in again" and 403
    as "you may not", and DRF only sends 401 when the scheme names a WWW-Authenticate
    challenge. CSRF refusals are French problem details with a stable code.
    """

    def authenticate_header(self, request):
        return 'Session realm="relais"'

    def enforce_csrf(self, request):
        def dummy_get_response(request):  # pragma: no cover - never called
            return None

        check = CsrfViewMiddleware(dummy_get_response)
        check.process_request(request)
        reason = check.process_view(request, None, (), {})
        if reason:
            raise exceptions.PermissionDenied(
                _("Jeton CSRF absent ou invalide : rechargez la page."), code="csrf_failed"
            )
