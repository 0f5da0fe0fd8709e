from django.urls import path

from backend.structures import apis

urlpatterns = [
    path("structures/", apis.StructureListCreateApi.as_view(), name="structure-list"),
    path("structures/import/", apis.StructureImportApi.as_view(), name="structure-import"),
    path(
        "structures/<int:structure_id>/",
        apis.StructureDetailApi.as_view(),
        name="structure-detail",
    ),
]
