"""Medians of durations in one query, on PostgreSQL and on SQLite alike.

PostgreSQL computes them (`percentile_cont(0.5)`, the interpolated median); SQLite has no such
aggregate, so there one query reads the two instants of every row and Python takes the median
(`_median`, the same interpolation as `statistics.median`). Either way: one query, whatever the
groups.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Hashable, Mapping
from typing import Any

from django.db import connections
from django.db.models import Aggregate, DurationField, ExpressionWrapper, F, QuerySet


class PercentileCont(Aggregate):
    """PostgreSQL's `percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)`."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, *, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


def _duration(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def median_durations(
    queryset: QuerySet, *, start: str, end: str, group_by: Mapping[str, Any] | None = None
) -> dict[tuple[Hashable, ...], datetime.timedelta]:
    """The median of `end - start` (two datetime fields) over the rows of `queryset`, per group.

    `group_by` maps names (not the model's field names) to expressions, e.g.
    {"month": TruncMonth(...)}; the answer maps each group's values, in that order, to its
    median ({(): median} without groups; {} when there are no rows). Rows where `start` or
    `end` is NULL are left out. One query.
    """
    group_by = dict(group_by or {})
    names = list(group_by)
    rows = queryset.filter(**{f"{end}__isnull": False, f"{start}__isnull": False})
    if connections[queryset.db].vendor == "postgresql":
        median = PercentileCont(_duration(start, end), fraction=0.5)
        if not names:
            value = rows.aggregate(median=median)["median"]
            return {} if value is None else {(): value}
        grouped = rows.annotate(**group_by).values(*names).annotate(median=median).order_by()
        return {tuple(row[name] for name in names): row["median"] for row in grouped}
    durations: dict[tuple[Hashable, ...], list[datetime.timedelta]] = defaultdict(list)
    for *key, started, ended in (
        rows.annotate(**group_by).values_list(*names, start, end).order_by()
    ):
        durations[tuple(key)].append(ended - started)
    return {key: _median(values) for key, values in durations.items()}


def _median(values: list[datetime.timedelta]) -> datetime.timedelta:
    """statistics.median's interpolation (the mean of the two middle values for an even
    count), on durations."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def median_microseconds(values: list[int]) -> datetime.timedelta | None:
    """The median of durations given in microseconds (the daily roll-up keeps them so), as
    statistics.median interpolates; None without any."""
    return datetime.timedelta(microseconds=statistics.median(values)) if values else None
