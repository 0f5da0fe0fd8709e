from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """Referrals ("orientations"): a person sent by a capteur, routed to a facilitator."""

    name = "backend.referrals"
    label = "referrals"
    verbose_name = "Orientations"
