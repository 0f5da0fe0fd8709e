import django_filters
from django.utils.translation import gettext_lazy as _

from backend.visits.enums import VisitKind, VisitStatus
from backend.visits.models import Visit


class VisitFilter(django_filters.FilterSet):
    facilitator = django_filters.CharFilter(
        method="filter_facilitator",
        label=_("« me », « none » ou un identifiant (défaut : tous les facilitateurs)"),
    )
    capteur = django_filters.NumberFilter(field_name="capteur_id")
    territory = django_filters.NumberFilter(field_name="territory_id")
    status = django_filters.MultipleChoiceFilter(
        choices=VisitStatus.choices,
        # One column of the row itself: no join, so no DISTINCT (its default) over every column.
        distinct=False,
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=VisitKind.choices,
        # One column of the row itself: no join, so no DISTINCT (its default) over every column.
        distinct=False,
    )
    # The API names them `from` and `to` (a Python keyword cannot be a class attribute name:
    # they are set in the class namespace, where FilterSet collects its filters).
    locals()["from"] = django_filters.DateFilter(
        field_name="planned_on", lookup_expr="gte", label=_("prévue à partir du (inclus)")
    )
    locals()["to"] = django_filters.DateFilter(
        field_name="planned_on", lookup_expr="lte", label=_("prévue jusqu'au (inclus)")
    )

    class Meta:
        model = Visit
        fields = ["facilitator", "capteur", "territory", "status", "kind", "from", "to"]

    def filter_facilitator(self, queryset, name, value):
        if value == "me":
            return queryset.filter(facilitator=self.request.user)
        if value == "none":
            return queryset.filter(facilitator__isnull=True)
        if value.isdigit():
            return queryset.filter(facilitator_id=int(value))
        return queryset.none()
