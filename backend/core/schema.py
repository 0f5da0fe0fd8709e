"""drf-spectacular extensions (imported by CoreConfig.ready) and the schema class of every API
view (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"])."""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from backend.core.errors import PROBLEM_CONTENT_TYPE


class RelaisSessionScheme(SessionScheme):
    """The API's session (backend.accounts.authentication): with the second factor when the
    user's role requires it."""

    target_class = "backend.accounts.authentication.SessionAuthentication"


class SessionBeforeSecondFactorScheme(SessionScheme):
    """The session of the few auth views that lead to the second factor."""

    target_class = "backend.accounts.authentication.SessionAuthenticationBeforeSecondFactor"
    name = "cookieAuthBeforeSecondFactor"


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as backend.core.errors renders every API error."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable, for clients (e.g. `invalid`, `not_found`).")
    # The field's name is the document's; the metaclass moves it off the class, so it does not
    # shadow Serializer.errors at run time (mypy cannot know).
    errors = serializers.DictField(  # type: ignore[assignment]
        required=False,
        help_text="400 only: the messages per field (`non_field_errors` for the whole).",
    )

    class Meta:
        ref_name = "Problem"


_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_PROBLEM_DESCRIPTIONS = {
    "400": "Invalid request (`errors` per field).",
    "401": "Not logged in.",
    "403": "Not allowed, or the CSRF token is missing.",
    "404": "No such object in the user's territories (or an invalid page cursor).",
    "409": "A business rule refused the operation (`code` says which).",
    "415": "Unsupported request body content type.",
    "422": "The Idempotency-Key was used for another request.",
    "429": "Too many requests (`Retry-After`).",
}


def _model_field_blank(field) -> bool:
    """Whether a ModelSerializer field reads a text model field that may be blank."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not isinstance(field, serializers.CharField | serializers.ChoiceField):
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except (FieldDoesNotExist, TypeError):
        return False
    return isinstance(model_field, models.CharField | models.TextField) and model_field.blank


class RelaisAutoSchema(AutoSchema):
    """Documents the problem details answers an operation can give, from what the view is:
    so that every endpoint, present and future, declares its error statuses (the contract
    tests in tests/contract check the API gives no other). An answer an operation declares
    itself keeps its description and gets the Problem body if it has none."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        problem = self.resolve_serializer(ProblemSerializer, "response").ref
        responses = operation.setdefault("responses", {})
        for code in self._problem_statuses(operation):
            responses.setdefault(code, {"description": _PROBLEM_DESCRIPTIONS[code]})
        for code, response in responses.items():
            if code.startswith("4"):
                response.setdefault("content", {PROBLEM_CONTENT_TYPE: {"schema": problem}})
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops allow_blank from read-only fields, so an output's blank e-mail, URL or
        # choice would be documented as never blank: take it from the model field.
        if field.read_only and _model_field_blank(field):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _problem_statuses(self, operation) -> list[str]:
        parameters = operation.get("parameters", [])
        locations = {parameter["in"] for parameter in parameters}
        names = {parameter["name"] for parameter in parameters}
        has_body = "requestBody" in operation
        security = operation.get("security")
        anonymous_allowed = security is None or {} in security
        codes = []
        if has_body or locations & {"query", "header"}:
            codes.append("400")
        if not anonymous_allowed:
            codes.append("401")
        # Session authentication: a permission refused, or a write without the CSRF token.
        if security is not None and (not anonymous_allowed or self.method in _UNSAFE):
            codes.append("403")
        if "path" in locations or names & {"cursor", "territory"}:
            codes.append("404")
        if self.method in _UNSAFE and (has_body or "path" in locations):
            codes.append("409")
        if has_body:
            codes.append("415")
        if "Idempotency-Key" in names:
            codes.append("422")
        if self.view.get_throttles():
            codes.append("429")
        return codes
