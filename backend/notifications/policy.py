"""Delivery policy of the outbox, as reads: may this SMS leave, and when.

- a number that can never get an SMS (none, invalid, a landline) is refused at once;
- a number of a country outside the territory's allowlist (`Territory.sms_countries`: France
  and overseas by default) is refused too: SMS pumping sends to expensive foreign ranges;
- an opted-out number (STOP) gets nothing, from any sender;
- a row marked `daily_capped` (a number typed by the public) counts towards
  SMS_DAILY_CAP_PER_NUMBER a day: that is how SMS pumping is stopped;
- a row marked `quiet_hours` (an SMS to a person) leaves in SMS_PERSON_HOURS, Monday to
  Saturday, never on a public holiday.
Which messages are capped or quiet is the sending app's choice, written on the row.
"""

import datetime

import phonenumbers
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import DEFAULT_SMS_COUNTRIES, Territory, parse_sms_countries
from backend.core.calendar import is_public_holiday
from backend.notifications.enums import Channel
from backend.notifications.models import Notification, SmsOptOut

SMS_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def sms_number_refusal(phone: str | phonenumbers.PhoneNumber) -> str | None:
    """Why `phone` can never get an SMS (none, invalid, not a mobile), or None. No query.
    `phone`: text, or a number already parsed (a PhoneNumberField's value: not parsed again)."""
    if isinstance(phone, phonenumbers.PhoneNumber):
        number = phone
    elif not phone:
        return _("Pas de numéro.")
    else:
        try:
            number = phonenumbers.parse(phone)
        except phonenumbers.NumberParseException:
            return _("Numéro invalide.")
    if not phonenumbers.is_valid_number(number):
        return _("Numéro invalide.")
    if phonenumbers.number_type(number) not in SMS_TYPES:
        return _("Ce numéro n'est pas un mobile : pas de SMS.")
    return None


def sms_country_refusal(phone: str, territory: Territory | None) -> str | None:
    """Why `phone` may not get an SMS from `territory`: its country is not in the territory's
    allowlist (the default list for a message of no territory), or None. No query."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return _("Numéro invalide.")
    allowed = (
        territory.sms_regions
        if territory is not None
        else parse_sms_countries(DEFAULT_SMS_COUNTRIES)
    )
    if region not in allowed:
        return _(
            "Pas de SMS vers ce pays (%(region)s) : il n'est pas dans la liste des pays "
            "autorisés du territoire."
        ) % {"region": region or "?"}
    return None


def sms_recipient_refusal(phone: str, territory: Territory | None) -> str | None:
    """Why `phone` can never get an SMS from `territory` (sms_number_refusal, then
    sms_country_refusal), or None. No query."""
    return sms_number_refusal(phone) or sms_country_refusal(phone, territory)


def sms_refusal(notification: Notification) -> str | None:
    """Why this SMS must not leave now (checked at delivery): a number that cannot get SMS or
    is outside the territory's countries, an opt-out (STOP), or the per-number daily cap of a
    `daily_capped` row. Reads `notification.territory` (load it with the row)."""
    refusal = sms_recipient_refusal(notification.recipient, notification.territory)
    if refusal:
        return refusal
    if SmsOptOut.objects.filter(phone=notification.recipient).exists():
        return _("Ce numéro a demandé à ne plus recevoir de SMS (STOP).")
    if not notification.daily_capped:
        return None
    since = timezone.now() - datetime.timedelta(days=1)
    sent_today = (
        Notification.objects.filter(
            channel=Channel.SMS,
            recipient=notification.recipient,
            daily_capped=True,
            sent_at__gte=since,
        )
        .exclude(pk=notification.pk)
        .count()
    )
    if sent_today >= settings.SMS_DAILY_CAP_PER_NUMBER:
        return _("Plafond quotidien de SMS atteint pour ce numéro.")
    return None


def _sms_day_for_people(day: datetime.date) -> bool:
    """Monday to Saturday, except public holidays (a Saturday holiday too)."""
    return day.weekday() != 6 and not is_public_holiday(day)


def next_person_sms_time(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When an SMS to a referred person may leave: None if now, else the next morning that is
    neither a Sunday nor a public holiday (people are not woken up by Relais)."""
    now = timezone.localtime(now or timezone.now())
    start, end = settings.SMS_PERSON_HOURS
    if _sms_day_for_people(now.date()) and start <= now.hour < end:
        return None
    day = now.date() if now.hour < start else now.date() + datetime.timedelta(days=1)
    while not _sms_day_for_people(day):
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(start)))


def later_for_person(notification: Notification) -> datetime.datetime | None:
    """When a `quiet_hours` message found due now must wait for (None: it may leave now)."""
    if not notification.quiet_hours:
        return None
    return next_person_sms_time()
