"""The calendar feed: a secret ICS link a phone's calendar subscribes to."""

import datetime
from urllib.parse import urlsplit

import icalendar
import pytest
from django.utils import timezone

from backend.visits.models import CalendarFeed
from tests.accounts.factories import MembershipFactory
from tests.capteurs.factories import CapteurFactory
from tests.referrals.factories import ReferralFactory
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
FEED_API = "/api/v1/visits/calendar-feed/"


def open_feed(api):
    response = api.post(FEED_API)
    assert response.status_code == 201, response.json()
    return response.json()


def path_of(url):
    return urlsplit(url).path


def events(client, url):
    response = client.get(path_of(url))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["x-published-ttl"] == "PT1H"
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_opening_a_feed_gives_a_secret_url(facilitator_api, facilitator, settings):
    body = open_feed(facilitator_api)

    secret = CalendarFeed.objects.get(user=facilitator).secret
    assert len(secret) >= 32  # 24 random bytes, URL-safe base64: 192 bits
    assert body["url"] == f"{settings.PUBLIC_BASE_URL}/calendrier/{secret}.ics"
    assert body["webcal_url"] == "webcal://" + body["url"].split("://", 1)[1]
    assert facilitator_api.get(FEED_API).json()["url"] == body["url"]


def test_the_feed_lists_planned_and_recently_done_visits_as_all_day_events(
    facilitator_api, client, territory, facilitator
):
    # given
    today = timezone.localdate()
    balto = CapteurFactory(
        territory=territory, partner=True, name="Bar-tabac Le Balto", city="Mourenx"
    )
    soon = VisitFactory(capteur=balto, facilitator=facilitator, planned_on=today + 2 * DAY)
    VisitFactory(
        capteur__territory=territory,
        capteur__name="Laverie",
        facilitator=facilitator,
        done=True,
        outcome="Affiche recollée.",
        next_step="Rapporter des cartes.",
    )
    VisitFactory(
        capteur__territory=territory,
        capteur__name="Vieux",
        facilitator=facilitator,
        done=True,
        planned_on=today - 40 * DAY,
    )
    VisitFactory(
        capteur__territory=territory,
        capteur__name="Annulé",
        facilitator=facilitator,
        cancelled=True,
    )
    VisitFactory(capteur__territory=territory, capteur__name="Collègue")
    url = open_feed(facilitator_api)["url"]

    # when
    found = events(client, url)

    # then
    assert set(found) == {"Suivi — Bar-tabac Le Balto", "Faite : Suivi — Laverie"}
    event = found["Suivi — Bar-tabac Le Balto"]
    assert event.decoded("dtstart") == soon.planned_on
    assert event["dtstart"].params["VALUE"] == "DATE"
    assert event.decoded("dtend") == soon.planned_on + DAY
    assert str(event["uid"]) == f"visit-{soon.id}@127.0.0.1"
    assert str(event["location"]) == f"{balto.address}, 64300 Mourenx"
    assert (event["geo"].latitude, event["geo"].longitude) == (43.488, -0.771)
    assert event["sequence"] == 0
    assert event.decoded("last-modified") == soon.updated_at.replace(microsecond=0)
    done = found["Faite : Suivi — Laverie"]
    assert "Compte rendu : Affiche recollée." in str(done["description"])
    assert "Suite à donner : Rapporter des cartes." in str(done["description"])


def test_a_rescheduled_visit_keeps_its_uid_with_a_higher_sequence(
    facilitator_api, client, territory, facilitator
):
    # given a visit planned, in the feed
    capteur = CapteurFactory(territory=territory, partner=True, name="Balto")
    today = timezone.localdate()
    visit_id = facilitator_api.post(
        "/api/v1/visits/",
        {"capteur": capteur.id, "kind": "follow_up", "planned_on": today.isoformat()},
    ).json()["id"]
    url = open_feed(facilitator_api)["url"]
    before = events(client, url)["Suivi — Balto"]

    # when it is rescheduled
    facilitator_api.post(
        f"/api/v1/visits/{visit_id}/reschedule/", {"planned_on": (today + 3 * DAY).isoformat()}
    )

    # then the calendar updates the same event
    after = events(client, url)["Suivi — Balto"]
    assert str(before["uid"]) == str(after["uid"]) == f"visit-{visit_id}@127.0.0.1"
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert after.decoded("dtstart") == today + 3 * DAY


def test_the_feed_tells_nothing_about_referred_people(
    facilitator_api, client, territory, facilitator
):
    capteur = CapteurFactory(territory=territory, partner=True)
    referral = ReferralFactory(capteur=capteur, first_name="Ginette", phone="+33698765432")
    VisitFactory(capteur=capteur, facilitator=facilitator)
    url = open_feed(facilitator_api)["url"]

    body = client.get(path_of(url)).content.decode()

    assert referral.first_name not in body
    assert "98765432" not in body


def test_rotating_the_secret_closes_the_old_link(facilitator_api, client):
    old = open_feed(facilitator_api)["url"]

    new = open_feed(facilitator_api)["url"]

    assert new != old
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(new)).status_code == 200


def test_a_revoked_or_unknown_secret_is_404(facilitator_api, client):
    url = open_feed(facilitator_api)["url"]

    response = facilitator_api.delete(FEED_API)

    assert response.status_code == 204
    assert client.get(path_of(url)).status_code == 404
    assert client.get("/calendrier/not-a-secret.ics").status_code == 404
    assert facilitator_api.get(FEED_API).json()["url"] is None
    assert facilitator_api.delete(FEED_API).status_code == 204  # closing twice is fine


def test_a_deactivated_users_feed_is_404(facilitator_api, client, facilitator):
    url = open_feed(facilitator_api)["url"]
    facilitator.is_active = False
    facilitator.save()

    assert client.get(path_of(url)).status_code == 404


def test_a_territory_left_leaves_the_feed(facilitator_api, client, facilitator, other_territory):
    MembershipFactory(territory=other_territory, user=facilitator)
    VisitFactory(
        capteur__territory=other_territory, capteur__name="Ailleurs", facilitator=facilitator
    )
    url = open_feed(facilitator_api)["url"]
    facilitator.memberships.filter(territory=other_territory).delete()

    assert events(client, url) == {}


def test_the_feed_is_one_query_for_the_visits(
    facilitator_api, client, territory, facilitator, django_assert_num_queries
):
    VisitFactory.create_batch(5, capteur__territory=territory, facilitator=facilitator)
    url = open_feed(facilitator_api)["url"]

    # the feed and its user + the visits (capteurs, revisions, previous next steps)
    with django_assert_num_queries(2):
        client.get(path_of(url))
