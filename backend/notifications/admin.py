"""The outbox in the admin, for ops: what left, what failed and why, and a resend.

Read-only: a notification is history, changed only by delivery and by `notification_retry`.
Phone numbers are masked (people's numbers are personal data; the last digits are enough to
match a complaint).
"""

import phonenumbers
from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backend.notifications.enums import Channel, NotificationStatus
from backend.notifications.models import Notification, SmsOptOut
from backend.notifications.services import notification_retry
from backend.notifications.sms import mask
from backend.notifications.templates import template_choices, template_label


class TemplateFilter(admin.SimpleListFilter):
    """Filter by message, with the labels the domain apps declared."""

    title = _("message")
    parameter_name = "template"

    def lookups(self, request, model_admin):
        return template_choices()

    def queryset(self, request, queryset):
        return queryset.filter(template=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "template_name",
        "channel",
        "masked_recipient",
        "status",
        "attempts",
        "last_error",
        "provider_status",
    ]
    list_filter = ["status", "channel", TemplateFilter, "territory"]
    search_fields = ["provider_id"]
    fields = (
        "created_at",
        "territory",
        "referral",
        "channel",
        "template_name",
        "masked_recipient",
        "sender",
        "quiet_hours",
        "daily_capped",
        "subject",
        "body",
        "status",
        "not_before",
        "attempts",
        "last_error",
        "provider_id",
        "provider_status",
        "enqueued_at",
        "sent_at",
        "delivered_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ["resend"]

    @admin.display(description=_("message"), ordering="template")
    def template_name(self, notification):
        return template_label(notification.template)

    @admin.display(description=_("destinataire"))
    def masked_recipient(self, notification):
        if notification.channel == Channel.SMS:
            return mask(notification.recipient)
        return notification.recipient

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # an outbox, not an editor: the resend action is the only write

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        # The form is read-only for everyone; resending needs the model's change permission.
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description=_("Renvoyer"), permissions=["resend"])
    def resend(self, request, queryset):
        """Puts the selected failed notifications back in the queue; the others are left."""
        requeued = refused = 0
        for notification in queryset.filter(status=NotificationStatus.FAILED):
            if notification_retry(notification=notification).status == NotificationStatus.PENDING:
                requeued += 1
            else:
                refused += 1  # a number that can never get an SMS (landline, invalid)
        if requeued:
            self.message_user(
                request,
                ngettext(
                    "%(count)d notification remise en file d'envoi.",
                    "%(count)d notifications remises en file d'envoi.",
                    requeued,
                )
                % {"count": requeued},
                messages.SUCCESS,
            )
        elif not refused:
            self.message_user(
                request,
                _("Aucune notification en échec dans la sélection : rien à renvoyer."),
                messages.WARNING,
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d notification non renvoyée : ce numéro ne peut pas recevoir de SMS.",
                    "%(count)d notifications non renvoyées : ces numéros ne peuvent pas "
                    "recevoir de SMS.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    """Numbers that texted STOP. Deleting a row allows SMS to that number again (when the
    person asks for it, e.g. by texting START or calling the team)."""

    list_display = ["masked_phone", "created_at"]
    search_fields = ["phone"]
    readonly_fields = ["phone", "created_at"]

    @admin.display(description=_("numéro"))
    def masked_phone(self, opt_out):
        return mask(opt_out.phone)

    def get_search_results(self, request, queryset, search_term):
        # Numbers are stored in E.164: "06 12 34 56 78" finds "+33612345678".
        try:
            number = phonenumbers.parse(search_term, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            return super().get_search_results(request, queryset, search_term)
        if not phonenumbers.is_valid_number(number):
            return super().get_search_results(request, queryset, search_term)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return queryset.filter(phone=e164), False

    def has_add_permission(self, request):
        return False  # an opt-out comes from the person (STOP), not from staff

    def has_change_permission(self, request, obj=None):
        return False
