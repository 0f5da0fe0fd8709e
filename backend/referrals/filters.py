import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.referrals.enums import Status
from backend.referrals.models import Referral
from backend.referrals.perms import facilitator_territory_ids
from backend.referrals.selectors import overdue_q
from backend.structures.enums import Need


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        # One column of the row itself: no join, so no DISTINCT (its default) over every column.
        distinct=False,
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("en retard"))
    capteur = django_filters.NumberFilter(field_name="capteur_id")
    territory = django_filters.NumberFilter(field_name="territory_id")
    need = django_filters.ChoiceFilter(choices=Need.choices, method="filter_need")
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    possible_duplicate = django_filters.BooleanFilter(
        field_name="possible_duplicate_of", lookup_expr="isnull", exclude=True
    )
    assigned_to = django_filters.CharFilter(
        method="filter_assigned_to",
        label=_("« me » (défaut des facilitateurs), « all », « none » ou un identifiant"),
    )

    class Meta:
        model = Referral
        fields = [
            "status",
            "overdue",
            "capteur",
            "territory",
            "need",
            "created_after",
            "created_before",
            "possible_duplicate",
            "assigned_to",
        ]

    def __init__(self, data=None, *args, **kwargs):
        # A facilitator's inbox shows their own referrals unless they ask for more.
        request = kwargs.get("request")
        if (
            data is not None
            and "assigned_to" not in data
            and request is not None
            and facilitator_territory_ids(request.user)
        ):
            data = data.copy()
            data["assigned_to"] = "me"
        super().__init__(data, *args, **kwargs)

    def filter_overdue(self, queryset, name, value):
        condition = overdue_q(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_need(self, queryset, name, value):
        # JSON list membership that works on PostgreSQL and SQLite alike: match the quoted
        # value in the JSON text (need values are plain ASCII slugs).
        return queryset.filter(needs__icontains=f'"{value}"')

    def filter_assigned_to(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        return queryset.none()
