import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.capteurs.enums import Activity, CapteurKind, Stage
from backend.capteurs.models import Capteur


class CapteurFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(
        choices=CapteurKind.choices,
        # One column of the row itself: no join, so no DISTINCT (its default) over every column.
        distinct=False,
    )
    stage = django_filters.MultipleChoiceFilter(
        choices=Stage.choices,
        # One column of the row itself: no join, so no DISTINCT (its default) over every column.
        distinct=False,
    )
    activity = django_filters.MultipleChoiceFilter(
        choices=Activity.choices, label=_("activité (calculée)"), distinct=False
    )
    referent = django_filters.NumberFilter(field_name="referent_id")
    territory = django_filters.NumberFilter(field_name="territory_id")
    q = django_filters.CharFilter(method="search", label=_("recherche (nom, adresse, commune)"))

    class Meta:
        model = Capteur
        fields = ["kind", "stage", "activity", "referent", "territory", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(address__icontains=value) | Q(city__icontains=value)
        )
