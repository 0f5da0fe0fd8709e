from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    """Referrals ("orientations"): a person sent by a capteur, routed to a facilitator."""

    name = "backend.referrals"
    label = "referrals"
    verbose_name = "Orientations"

    def ready(self):
        # Importing here, not at module level: app modules need the app registry ready.
        from backend.notifications.inbound import register_inbound_handler
        from backend.referrals.inbound_sms import handle_code_sms

        register_inbound_handler(handle_code_sms)
