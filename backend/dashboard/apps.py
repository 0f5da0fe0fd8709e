from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The coordinator's view of the network: indicators, trends, map, exports. Reads
    everything (referrals, capteurs, scans, visits) and writes nothing."""

    name = "backend.dashboard"
    label = "dashboard"
    verbose_name = "Tableau de bord"
