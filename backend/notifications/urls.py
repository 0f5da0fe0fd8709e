from django.urls import path

from backend.notifications import webhooks

# Configure Twilio with these exact URLs, trailing slash included: Django's slash redirect
# would turn Twilio's POST into a 301 it does not follow.
urlpatterns = [
    path("twilio/sms/inbound/", webhooks.inbound_sms, name="twilio-inbound-sms"),
    path("twilio/sms/status/", webhooks.status_callback, name="twilio-status-callback"),
]
