"""Structures directory API. Thin: validate, call a service or selector, render."""

from collections.abc import Callable

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.errors import require_permission
from backend.structures import perms, selectors, services
from backend.structures.filters import StructureFilter
from backend.structures.models import Structure
from backend.structures.serializers import (
    ImportReportSerializer,
    StructureImportInputSerializer,
    StructureInputSerializer,
    StructureOutputSerializer,
)


def require(allowed: bool, message: str | None = None) -> None:
    """403 with `message`, or the app's own, when a perms predicate said no."""
    require_permission(
        allowed, message or _("Seuls les membres du territoire de la structure peuvent faire cela.")
    )


def structure_for(request, structure_id, *, allowed: Callable[..., bool]) -> Structure:
    """The structure `structure_id` if the user sees it (404 otherwise, by scoping) and may do
    what `allowed` (a predicate of backend.structures.perms) checks (403 otherwise)."""
    structure = selectors.structure_get(user=request.user, pk=structure_id)
    require(allowed(request.user, structure))
    return structure


def _structure_output(request, structure_id):
    structure = selectors.structure_get(user=request.user, pk=structure_id)
    return StructureOutputSerializer(structure, context={"request": request}).data


@extend_schema(tags=["structures"])
class StructureListCreateApi(generics.ListAPIView):
    """The structures directory of the user's territories: active structures unless
    `is_active=false`, by name."""

    serializer_class = StructureOutputSerializer
    filterset_class = StructureFilter
    ordering_fields = ["name", "city", "created_at", "updated_at"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.structure_queryset(user=self.request.user)

    @extend_schema(request=StructureInputSerializer, responses={201: StructureOutputSerializer})
    def post(self, request):
        data = StructureInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        require(perms.can_create_structure(request.user, data.validated_data["territory"]))
        structure = services.structure_create(actor=request.user, **data.validated_data)
        return Response(_structure_output(request, structure.id), status=status.HTTP_201_CREATED)


@extend_schema(tags=["structures"])
class StructureDetailApi(APIView):
    @extend_schema(responses=StructureOutputSerializer)
    def get(self, request, structure_id):
        structure = structure_for(request, structure_id, allowed=perms.can_view_structure)
        return Response(StructureOutputSerializer(structure, context={"request": request}).data)

    @extend_schema(request=StructureInputSerializer, responses=StructureOutputSerializer)
    def patch(self, request, structure_id):
        structure = structure_for(request, structure_id, allowed=perms.can_edit_structure)
        data = StructureInputSerializer(
            structure, data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        if structure.is_active and data.validated_data.get("is_active") is False:
            require(perms.can_deactivate_structure(request.user, structure))
        services.structure_update(structure=structure, actor=request.user, **data.validated_data)
        return Response(_structure_output(request, structure.id))

    @extend_schema(
        description=(
            "Deactivates the structure: it leaves the active directory but is never deleted, "
            "since referrals oriented to it keep pointing to it. PATCH `is_active: true` "
            "brings it back."
        ),
        responses={204: None},
    )
    def delete(self, request, structure_id):
        structure = structure_for(request, structure_id, allowed=perms.can_deactivate_structure)
        services.structure_deactivate(structure=structure, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["structures"])
class StructureImportApi(APIView):
    """Imports structures into a territory from a CSV file or data·inclusion services (JSON).

    Bad rows are reported, with French reasons, and never stop the others; re-importing the
    same file updates the structures it created. A file that cannot be read is a 400 problem.
    The territory's coordinators only: 403 for its facilitators.
    """

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": StructureImportInputSerializer},
        responses=ImportReportSerializer,
    )
    def post(self, request):
        data = StructureImportInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        require(
            perms.can_import_structures(request.user, data.validated_data["territory"]),
            _("Seuls les coordinateurs du territoire peuvent importer des structures."),
        )
        report = services.structure_import_file(
            territory=data.validated_data["territory"],
            file=data.validated_data["file"],
            file_format=data.validated_data["format"],
        )
        return Response(ImportReportSerializer(report.as_dict()).data)
