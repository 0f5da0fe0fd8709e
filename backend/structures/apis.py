"""Structures directory API. Thin: validate, call a service or selector, render."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.structures import selectors, services
from backend.structures.filters import StructureFilter
from backend.structures.serializers import (
    ImportReportSerializer,
    StructureImportInputSerializer,
    StructureInputSerializer,
    StructureOutputSerializer,
)


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
        structure = services.structure_create(actor=request.user, **data.validated_data)
        return Response(_structure_output(request, structure.id), status=status.HTTP_201_CREATED)


@extend_schema(tags=["structures"])
class StructureDetailApi(APIView):
    @extend_schema(responses=StructureOutputSerializer)
    def get(self, request, structure_id):
        return Response(_structure_output(request, structure_id))

    @extend_schema(request=StructureInputSerializer, responses=StructureOutputSerializer)
    def patch(self, request, structure_id):
        structure = selectors.structure_get(user=request.user, pk=structure_id)
        data = StructureInputSerializer(
            structure, data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
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
        structure = selectors.structure_get(user=request.user, pk=structure_id)
        services.structure_deactivate(structure=structure, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["structures"])
class StructureImportApi(APIView):
    """Imports structures into a territory from a CSV file or data·inclusion services (JSON).

    Bad rows are reported, with French reasons, and never stop the others; re-importing the
    same file updates the structures it created. A file that cannot be read is a 400 problem.
    """

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": StructureImportInputSerializer},
        responses=ImportReportSerializer,
    )
    def post(self, request):
        data = StructureImportInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        report = services.structure_import_file(
            territory=data.validated_data["territory"],
            file=data.validated_data["file"],
            file_format=data.validated_data["format"],
        )
        return Response(ImportReportSerializer(report.as_dict()).data)
