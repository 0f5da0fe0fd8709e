"""Domain errors and their rendering as RFC 9457 problem details (application/problem+json)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"


class DomainError(Exception):
    """A business rule refused the operation. Services raise it; APIs render it as 409.

    `message` is user-facing French (translatable); `code` is stable for clients.
    """

    status_code: int = status.HTTP_409_CONFLICT
    code: str = "conflict"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


_TITLES = {
    400: _("Données invalides"),
    401: _("Authentification requise"),
    403: _("Accès refusé"),
    404: _("Introuvable"),
    405: _("Méthode non autorisée"),
    406: _("Format non disponible"),
    409: _("Opération impossible"),
    415: _("Type de contenu non pris en charge"),
    422: _("Requête impossible à traiter"),
    429: _("Trop de requêtes"),
    500: _("Erreur interne"),
}


def require_permission(allowed: bool, message: str) -> None:
    """In an API: 403 with `message` (French) when a perms predicate said no. Called after
    the object was fetched through territory scoping, so another territory's is a 404."""
    if not allowed:
        raise exceptions.PermissionDenied(message)


def problem_body(*, status_code, detail, code):
    return {
        "type": "about:blank",
        "title": str(_TITLES.get(status_code, _("Erreur"))),
        "status": status_code,
        "detail": str(detail),
        "code": code,
    }


def problem_json_response(*, status_code, detail, code):
    """A problem details response outside DRF (Django handlers: 404, 500, CSRF)."""
    return JsonResponse(
        problem_body(status_code=status_code, detail=detail, code=code),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def problem(*, status_code, detail, code, errors=None, headers=None, request=None):
    """A problem details document: application/problem+json for API clients; for a browser
    (content negotiation chose an HTML renderer, the browsable API), the same document in a
    readable page served as text/html, not HTML labelled as JSON."""
    body = problem_body(status_code=status_code, detail=detail, code=code)
    if errors is not None:
        body["errors"] = errors
    content_type = None if _wants_html(request) else PROBLEM_CONTENT_TYPE
    return Response(body, status=status_code, headers=headers, content_type=content_type)


def _wants_html(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return renderer is not None and renderer.media_type == "text/html"


def problem_exception_handler(exc, context):
    """DRF exception handler: every API error leaves as a problem details document (a
    readable page for a browser, see `problem`)."""
    request = context.get("request")
    if isinstance(exc, DomainError):
        return problem(
            status_code=exc.status_code, detail=exc.message, code=exc.code, request=request
        )
    if isinstance(exc, DjangoValidationError):
        # A model's full_clean() in a service: same shape as a serializer's errors.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(_("Le corps de la requête est illisible (JSON invalide)."))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return problem(
            status_code=response.status_code,
            detail=_("Certains champs sont invalides."),
            code="invalid",
            errors=errors,
            headers=_passed_headers(response),
            request=request,
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    return problem(
        status_code=response.status_code,
        detail=detail,
        code=getattr(detail, "code", None) or getattr(exc, "default_code", "error"),
        headers=_passed_headers(response),
        request=request,
    )


def _passed_headers(response):
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
