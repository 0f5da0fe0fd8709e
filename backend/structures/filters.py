import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.structures.enums import Need, StructureKind
from backend.structures.models import Structure
from backend.structures.selectors import covering_needs


class StructureFilter(django_filters.FilterSet):
    need = django_filters.MultipleChoiceFilter(
        choices=Need.choices,
        method="filter_need",
        label=_("besoin couvert (plusieurs : au moins l'un d'eux)"),
    )
    kind = django_filters.MultipleChoiceFilter(choices=StructureKind.choices)
    is_active = django_filters.BooleanFilter(
        label=_("active (par défaut : seulement les structures actives)")
    )
    territory = django_filters.NumberFilter(field_name="territory_id")
    q = django_filters.CharFilter(
        method="search", label=_("recherche (nom, présentation, adresse, commune)")
    )

    class Meta:
        model = Structure
        fields = ["need", "kind", "is_active", "territory", "q"]

    def __init__(self, data=None, *args, **kwargs):
        # The directory lists active structures unless asked for the deactivated ones.
        if data is not None and "is_active" not in data:
            data = data.copy()
            data["is_active"] = "true"
        super().__init__(data, *args, **kwargs)

    def filter_need(self, queryset, name, value):
        return covering_needs(queryset, value)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(description__icontains=value)
            | Q(address__icontains=value)
            | Q(city__icontains=value)
        )
