"""Shapes of the dashboard API: its query parameters (Input) and its answers (Output).

The answers are aggregates and pseudonymised references only: no field here may carry a
referred person's name, phone, email or note.
"""

import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.capteurs.enums import Activity, CapteurKind, Stage
from backend.dashboard.selectors.scope import (
    MAX_MONTHS,
    MAX_PERIOD_DAYS,
    Period,
    add_months,
    default_months,
    default_period,
    month_period,
)
from backend.referrals.enums import ClosingReason, Status
from backend.visits.enums import VisitKind

# --- query parameters ------------------------------------------------------------------------


class _TerritoryInput(serializers.Serializer):
    territory = serializers.IntegerField(required=False, min_value=1)

    def today(self) -> datetime.date:
        return self.context.get("today") or timezone.localdate()


class PeriodInputSerializer(_TerritoryInput):
    """`territory`, and the days `from` and `to` (both included); validated data: `territory`
    (or None) and `period`. Without dates: the current ISO week and the 11 before it."""

    def get_fields(self):
        # "from" is a Python keyword: it cannot be a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields

    def validate(self, attrs):
        start, end = attrs.pop("from", None), attrs.pop("to", None)
        if start is None and end is None:
            period = default_period(self.today())
        elif start is None:
            period = Period(default_period(end).start, end)
        else:
            period = Period(start, end or max(self.today(), start))
        if period.start > period.end:
            raise serializers.ValidationError({"to": [_("La fin doit suivre le début.")]})
        if (period.end - period.start).days >= MAX_PERIOD_DAYS:
            raise serializers.ValidationError(
                {"from": [_("La période ne peut pas dépasser trois ans.")]}
            )
        return {"territory": attrs.get("territory"), "period": period}


class LimitedPeriodInputSerializer(PeriodInputSerializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)

    def validate(self, attrs):
        limit = attrs.pop("limit")
        return {**super().validate(attrs), "limit": limit}


class LimitInputSerializer(_TerritoryInput):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)


# Years 0001 to 9999 (datetime's range; 0000 is no year).
MONTH_PATTERN = re.compile(r"^(?!0000)(\d{4})-(0[1-9]|1[0-2])$")


class MonthField(serializers.CharField):
    """A month as YYYY-MM, validated as the first day of that month."""

    default_error_messages = {"invalid": _("Indiquez un mois au format AAAA-MM.")}

    def to_internal_value(self, data):
        match = MONTH_PATTERN.match(super().to_internal_value(data))
        if not match:
            self.fail("invalid")
        return datetime.date(int(match[1]), int(match[2]), 1)


class MonthsInputSerializer(_TerritoryInput):
    """`territory`, and the months `from` and `to` (YYYY-MM, both included); validated data:
    `territory` (or None) and `period` (whole months). Without months: the current month and
    the 11 before it."""

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = MonthField(required=False)
        fields["to"] = MonthField(required=False)
        return fields

    def validate(self, attrs):
        first, last = attrs.pop("from", None), attrs.pop("to", None)
        if first is None and last is None:
            period = default_months(self.today())
        elif first is None:
            period = month_period(add_months(last, -11), last)
        else:
            period = month_period(first, last or max(self.today().replace(day=1), first))
        if period.start > period.end:
            raise serializers.ValidationError({"to": [_("La fin doit suivre le début.")]})
        if add_months(period.start, MAX_MONTHS) <= period.end:
            raise serializers.ValidationError(
                {"from": [_("L'export ne peut pas dépasser 60 mois.")]}
            )
        return {"territory": attrs.get("territory"), "period": period}


# --- answers ---------------------------------------------------------------------------------


class PeriodOutputSerializer(serializers.Serializer):
    # "from" is a keyword: declared through get_fields, like the input.
    def get_fields(self):
        return {"from": serializers.DateField(), "to": serializers.DateField()}


class TerritoryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CountByReasonSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ClosingReason.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class CountByActivitySerializer(serializers.Serializer):
    activity = serializers.ChoiceField(choices=Activity.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class CountByStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class SummaryReferralsSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Received in the period (no duplicates).")
    contacted = serializers.IntegerField(help_text="First contacted in the period.")
    met = serializers.IntegerField(help_text="Moved to « met » in the period.")
    oriented = serializers.IntegerField(help_text="Moved to « oriented » in the period.")
    closed = serializers.IntegerField(help_text="Closed in the period (no duplicates).")
    closed_by_reason = CountByReasonSerializer(many=True)


class SummaryFirstContactSerializer(serializers.Serializer):
    median_hours = serializers.FloatField(
        allow_null=True, help_text="Median receipt → first contact of the period's first contacts."
    )
    due = serializers.IntegerField(help_text="First contacts due in the period (known outcome).")
    on_time = serializers.IntegerField(help_text="Of those, made on or before their due date.")
    on_time_rate = serializers.FloatField(allow_null=True)


class SummaryCapteursSerializer(serializers.Serializer):
    by_activity = CountByActivitySerializer(many=True)
    by_stage = CountByStageSerializer(many=True)


class SummaryVisitsSerializer(serializers.Serializer):
    planned = serializers.IntegerField(help_text="Planned for a day of the period, not cancelled.")
    done = serializers.IntegerField(help_text="Done in the period.")
    cancelled = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Still planned for a day already past.")


class SummaryScansSerializer(serializers.Serializer):
    scans = serializers.IntegerField()
    qr = serializers.IntegerField()
    link = serializers.IntegerField()
    referrals_from_page = serializers.IntegerField(
        help_text="Referrals left on a landing page (channels qr and link) in the period."
    )
    conversion = serializers.FloatField(allow_null=True, help_text="referrals_from_page / scans")


class SummaryOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    territories = TerritoryOutputSerializer(many=True)
    referrals = SummaryReferralsSerializer()
    first_contact = SummaryFirstContactSerializer()
    capteurs = SummaryCapteursSerializer()
    visits = SummaryVisitsSerializer()
    scans = SummaryScansSerializer()


class WeekSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W07.")
    start = serializers.DateField(help_text="Its Monday.")
    referrals = serializers.IntegerField()
    partial = serializers.BooleanField(help_text="The period covers only part of the week.")  # type: ignore[assignment]


class WeeksOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    weeks = WeekSerializer(many=True)


class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class CountByStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class FunnelOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    received = serializers.IntegerField(help_text="Received in the period (no duplicates).")
    duplicates = serializers.IntegerField(help_text="Received in the period, closed as duplicates.")
    stages = FunnelStageSerializer(
        many=True, help_text="How many reached each stage or a later one; then how many closed."
    )
    current_status = CountByStatusSerializer(many=True)
    closing_reasons = CountByReasonSerializer(many=True)


class CapteurKindSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CapteurKind.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    partners = serializers.IntegerField()
    active = serializers.IntegerField()
    referrals = serializers.IntegerField()
    oriented = serializers.IntegerField()


class ReferralsOrientedSerializer(serializers.Serializer):
    referrals = serializers.IntegerField()
    oriented = serializers.IntegerField()


class CapteurKindsOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    kinds = CapteurKindSerializer(many=True)
    without_capteur = ReferralsOrientedSerializer()


class TopCapteurSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CapteurKind.choices)
    referrals = serializers.IntegerField()
    oriented = serializers.IntegerField()


class TopCapteursOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    capteurs = TopCapteurSerializer(many=True)


class SilentCapteurSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CapteurKind.choices)
    city = serializers.CharField()
    signed_on = serializers.DateField(allow_null=True)
    last_referral_on = serializers.DateField(allow_null=True)
    silent_days = serializers.IntegerField(
        allow_null=True, help_text="Days since its last referral, or since it signed."
    )
    last_visit_on = serializers.DateField(allow_null=True)
    referent_name = serializers.CharField(allow_null=True)


class SilentCapteursOutputSerializer(serializers.Serializer):
    capteurs = SilentCapteurSerializer(many=True)


class CodeConversionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    short_code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    active = serializers.BooleanField()
    capteur_id = serializers.IntegerField()
    capteur_name = serializers.CharField()
    scans = serializers.IntegerField()
    referrals = serializers.IntegerField(help_text="Through this code, any channel.")
    referrals_from_page = serializers.IntegerField(help_text="Left on its landing page.")
    conversion = serializers.FloatField(allow_null=True, help_text="referrals_from_page / scans")


class CodeConversionsOutputSerializer(serializers.Serializer):
    period = PeriodOutputSerializer()
    codes = CodeConversionSerializer(many=True)


class MapPointSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Point")
    coordinates = serializers.ListField(
        child=serializers.FloatField(),
        min_length=2,
        max_length=2,
        help_text="[longitude, latitude]",
    )


class MapPropertiesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CapteurKind.choices)
    stage = serializers.ChoiceField(choices=Stage.choices)
    activity = serializers.ChoiceField(choices=Activity.choices, allow_null=True)
    city = serializers.CharField(help_text="Its town (the map's list fallback).")
    referrals = serializers.IntegerField(help_text="Received in the period.")


class MapFeatureSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Feature")
    id = serializers.IntegerField()
    geometry = MapPointSerializer()
    properties = MapPropertiesSerializer()


class MapOutputSerializer(serializers.Serializer):
    """A GeoJSON FeatureCollection (RFC 7946); `without_coordinates` is a foreign member."""

    type = serializers.CharField(help_text="FeatureCollection")
    features = MapFeatureSerializer(many=True)
    without_coordinates = serializers.IntegerField(
        help_text="Capteurs of the scope (but the withdrawn) that have no coordinates."
    )


class HistoryMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    referrals = serializers.IntegerField()
    oriented = serializers.IntegerField()
    scans = serializers.IntegerField()
    visits_done = serializers.IntegerField()


class LastVisitSerializer(serializers.Serializer):
    done_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=VisitKind.choices)


class HistoryCapteurSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CapteurKind.choices)
    stage = serializers.ChoiceField(choices=Stage.choices)
    activity = serializers.ChoiceField(choices=Activity.choices, allow_null=True)
    signed_on = serializers.DateField(allow_null=True)
    last_referral_at = serializers.DateTimeField(allow_null=True)


class CapteurHistoryOutputSerializer(serializers.Serializer):
    capteur = HistoryCapteurSerializer()
    months = HistoryMonthSerializer(many=True)
    last_visit = LastVisitSerializer(allow_null=True)
