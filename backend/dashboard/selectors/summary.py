"""The dashboard's KPI tiles in one answer."""

from typing import Any

from backend.dashboard.selectors import daily, network, referrals, scans
from backend.dashboard.selectors.scope import Scope
from backend.dashboard.stats import median_microseconds
from backend.referrals.enums import ClosingReason


def dashboard_summary(scope: Scope) -> dict[str, Any]:
    """Referrals, first contacts, capteurs, visits and scans of the scope. The days the daily
    roll-up covers are read from it (selectors.daily), the others counted from the rows: nine
    queries before the first roll-up, ten after."""
    rolled, live = daily.split(scope)
    counts = referrals.referral_counts(scope, live)
    scanned = scans.scan_counts(scope, live)
    if rolled is None:
        median = referrals.first_contact_median(scope)
    else:
        figures = daily.rolled_up_figures(scope, rolled)
        for name, value in figures.items():
            if name in counts:
                counts[name] += value
        scanned["qr"] += figures["scans_qr"]
        scanned["link"] += figures["scans_link"]
        scanned["scans"] += figures["scans"]
        delays = figures["first_contact_delays"] + referrals.first_contact_delays(scope, live)
        median = median_microseconds(delays)
    closed = [
        {"reason": reason.value, "label": reason.label, "count": counts[f"closed_{reason.value}"]}
        for reason in ClosingReason
    ]
    return {
        "period": {"from": scope.period.start, "to": scope.period.end},
        "territories": [{"id": t.id, "name": t.name} for t in scope.territories],
        "referrals": {
            "received": counts["received"],
            "contacted": counts["contacted"],
            "met": counts["met"],
            "oriented": counts["oriented"],
            "closed": sum(
                row["count"] for row in closed if row["reason"] != ClosingReason.DUPLICATE
            ),
            "closed_by_reason": closed,
        },
        "first_contact": {
            "median_hours": round(median.total_seconds() / 3600, 1) if median is not None else None,
            "due": counts["first_contact_due"],
            "on_time": counts["first_contact_on_time"],
            "on_time_rate": (
                round(counts["first_contact_on_time"] / counts["first_contact_due"], 4)
                if counts["first_contact_due"]
                else None
            ),
        },
        "capteurs": network.capteur_counts(scope),
        "visits": network.visit_counts(scope),
        "scans": {
            **scanned,
            "referrals_from_page": counts["from_landing"],
            "conversion": scans.conversion(counts["from_landing"], scanned["scans"]),
        },
    }
