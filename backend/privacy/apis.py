"""The privacy API: a person's request about their data, handled by a member of the territory.

1. `POST /privacy/requests/` with the person's phone and/or e-mail: what Relais holds on them
   (a search; the contact travels in the body, never in a URL or a server log);
2. `GET /privacy/requests/{id}/export/` (JSON) or `…/export.html` (a page to print or send):
   everything the search found, with the person's data;
3. `POST /privacy/requests/{id}/erase/`: all of it anonymised at once.
Each call writes a PrivacyRequest row; exports also write the referrals' AccessLog.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.errors import require_permission
from backend.privacy import perms, selectors, services
from backend.privacy.documents import person_document
from backend.privacy.models import PrivacyRequest
from backend.privacy.serializers import (
    PersonExportSerializer,
    PersonSearchInputSerializer,
    PrivacyRequestOutputSerializer,
)

REFUSED = _("Seuls les facilitateurs et coordinateurs du territoire traitent ces demandes.")


def _request_response(request: PrivacyRequest, *, response_status=status.HTTP_200_OK):
    referrals = selectors.referral_summaries(referral_ids=request.referral_ids)
    data = PrivacyRequestOutputSerializer(request, context={"referrals": referrals}).data
    return Response(data, status=response_status, headers={"Cache-Control": "no-store"})


@extend_schema(tags=["privacy"])
class PrivacyRequestCreateApi(APIView):
    """Finds what the territory holds on a person, by phone (any French format) or e-mail:
    their referrals (references, dates, statuses: no personal data here) and how many other
    messages went to that contact. Recorded as a search (no phone or e-mail in clear), whose
    id the export and the erasure take."""

    @extend_schema(
        request=PersonSearchInputSerializer, responses={201: PrivacyRequestOutputSerializer}
    )
    def post(self, request):
        data = PersonSearchInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        require_permission(perms.can_search_person(request.user, values["territory"]), REFUSED)
        search = services.privacy_request_search(
            user=request.user,
            territory=values["territory"],
            phone=str(values["phone"]) if values.get("phone") else "",
            email=values.get("email", ""),
        )
        return _request_response(search, response_status=status.HTTP_201_CREATED)


class _ExportApi(APIView):
    def document(self, request, request_id):
        search = selectors.privacy_search_get(user=request.user, pk=request_id)
        require_permission(perms.can_export_person(request.user, search), REFUSED)
        referrals = selectors.person_referrals(referral_ids=search.referral_ids)
        messages = selectors.person_messages(
            referral_ids=search.referral_ids, notification_ids=search.notification_ids
        )
        services.privacy_request_export(user=request.user, search=search, referrals=referrals)
        return person_document(
            search=search, referrals=referrals, messages=messages, now=timezone.now()
        )


@extend_schema(tags=["privacy"])
class PrivacyExportApi(_ExportApi):
    """Everything the search found, with the person's data, as JSON (to hand over or to
    archive). Recorded as an export, and in the audit log of each referral."""

    @extend_schema(responses=PersonExportSerializer)
    def get(self, request, request_id):
        data = PersonExportSerializer(self.document(request, request_id)).data
        return Response(data, headers={"Cache-Control": "no-store"})


@extend_schema(tags=["privacy"])
class PrivacyExportHtmlApi(_ExportApi):
    """The same export as a page in plain French, to print or send to the person."""

    @extend_schema(
        responses={
            (200, "text/html"): OpenApiResponse(
                response=OpenApiTypes.STR, description=_("La page à imprimer ou à envoyer.")
            )
        }
    )
    def get(self, request, request_id):
        document = self.document(request, request_id)
        # In French whatever the staff's browser asks for: the page is for the person.
        with override("fr"):
            html = render_to_string("privacy/export.html", {"document": document}, request=request)
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "no-store"
        response["Content-Disposition"] = f'inline; filename="relais-donnees-{request_id}.html"'
        return response


@extend_schema(tags=["privacy"])
class PrivacyEraseApi(APIView):
    """Erases everything the search found, at once and for good: each referral is
    anonymised (the person's data goes; dates, statuses and needs stay for the counts), the
    messages to the person are blanked. A number that said STOP stays opted out. Recorded as
    an erasure; running it again changes nothing more."""

    @extend_schema(request=None, responses=PrivacyRequestOutputSerializer)
    def post(self, request, request_id):
        search = selectors.privacy_search_get(user=request.user, pk=request_id)
        require_permission(perms.can_erase_person(request.user, search), REFUSED)
        erasure = services.privacy_request_erase(user=request.user, search=search)
        return _request_response(erasure)
