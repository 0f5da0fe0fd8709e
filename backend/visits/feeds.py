"""The calendar feed (ICS, RFC 5545) of a facilitator's visits, for their phone's calendar.

Public (a calendar app cannot log in): the secret in the URL is the key, 192 random bits,
rotated or closed through the API (backend.visits.apis.CalendarFeedApi). An unknown or closed
secret is a 404. The feed holds what the facilitator needs on the road, about capteurs only:
never anything about a referred person.

Each visit is an all-day event (VALUE=DATE, so no VTIMEZONE): on its planned day, or on the day
it was done. Its UID is stable, its SEQUENCE counts its changes (its events), LAST-MODIFIED and
DTSTAMP are its last change: a calendar refreshing the feed updates events in place.
"""

import datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from backend.visits import selectors
from backend.visits.enums import VisitKind, VisitStatus
from backend.visits.models import Visit

# How often calendar apps that read it (Apple, Thunderbird, Outlook) should refresh the feed.
REFRESH_INTERVAL = datetime.timedelta(hours=1)


def visit_event(visit: Visit, *, domain: str) -> icalendar.Event:
    """One VEVENT for `visit` (annotated with `revisions` and `previous_next_step`, see
    backend.visits.selectors.calendar_feed_visits)."""
    capteur = visit.capteur
    done = visit.status == VisitStatus.DONE
    day = visit.done_on if done and visit.done_on else visit.planned_on
    summary = _("%(kind)s — %(capteur)s") % {
        "kind": VisitKind(visit.kind).label,
        "capteur": capteur.name,
    }
    lines = []
    if done:
        summary = _("Faite : %(summary)s") % {"summary": summary}
        if visit.outcome:
            lines.append(_("Compte rendu : %(outcome)s") % {"outcome": visit.outcome})
        if visit.next_step:
            lines.append(_("Suite à donner : %(step)s") % {"step": visit.next_step})
    elif visit.previous_next_step:  # type: ignore[attr-defined]
        lines.append(
            _("Suite prévue à la dernière visite : %(step)s") % {"step": visit.previous_next_step}  # type: ignore[attr-defined]
        )
    if capteur.phone:
        lines.append(_("Tél. : %(phone)s") % {"phone": capteur.phone})

    event = icalendar.Event()
    event.add("uid", f"visit-{visit.pk}@{domain}")
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("dtstamp", visit.updated_at)
    event.add("last-modified", visit.updated_at)
    event.add("sequence", max(visit.revisions - 1, 0))  # type: ignore[attr-defined]
    event.add("summary", summary)
    location = ", ".join(
        part for part in (capteur.address, f"{capteur.postal_code} {capteur.city}".strip()) if part
    )
    if location:
        event.add("location", location)
    if capteur.latitude is not None and capteur.longitude is not None:
        event.add("geo", (float(capteur.latitude), float(capteur.longitude)))
    if lines:
        event.add("description", "\n".join(str(line) for line in lines))
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a reminder of the day, not a busy slot
    return event


def visits_calendar(visits, *, domain: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Relais//Visites//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Relais — mes visites"))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # An X- property has no known type: say it is a duration, or it is written "1:00:00".
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH_INTERVAL))
    for visit in visits:
        calendar.add_component(visit_event(visit, domain=domain))
    return calendar


@require_safe
def calendar_feed(request, secret):
    """The ICS feed behind `secret`: the owner's planned visits and those done in the last
    30 days (backend.visits.selectors.calendar_feed_visits). 404 when the secret is unknown,
    closed, or its owner deactivated."""
    feed = selectors.calendar_feed_by_secret(secret=secret)
    if feed is None:
        raise Http404
    visits = selectors.calendar_feed_visits(user=feed.user, today=timezone.localdate())
    domain = urlsplit(settings.PUBLIC_BASE_URL).hostname or "relais"
    # Calendar apps send whatever language their phone has: the feed speaks the site's.
    with translation.override(settings.LANGUAGE_CODE):
        body = visits_calendar(visits, domain=domain).to_ical()
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="visites.ics"'
    # The secret is the key: no index, no referrer, no shared cache.
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, max-age=300"
    return response


# Included at the root by backend.config.urls: the feed lives outside the API (no login).
urlpatterns = [
    path("calendrier/<str:secret>.ics", calendar_feed, name="visit-calendar-ics"),
]
