"""The daily automatic planning of onboarding and follow-up visits. Every test passes `today`
explicitly: the planning never reads the clock."""

import datetime

import pytest

from backend.capteurs.enums import Stage
from backend.capteurs.models import Capteur
from backend.visits.enums import VisitStatus
from backend.visits.models import Visit, VisitEvent
from backend.visits.planning import visits_plan_automatic
from backend.visits.tasks import plan_automatic
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.capteurs.factories import CapteurFactory
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 7, 13)  # the day before Bastille Day (Tuesday 14 July)
DAY = datetime.timedelta(days=1)


def dormant(territory, referent=None, **fields):
    """A partner signed long ago that never sent anyone: dormant."""
    return CapteurFactory(
        territory=territory,
        partner=True,
        signed_on=MONDAY - 200 * DAY,
        referent=referent,
        **fields,
    )


def signed(territory, days_ago, referent=None):
    """A partner signed `days_ago` days before MONDAY, that has not sent anyone yet."""
    return CapteurFactory(
        territory=territory, partner=True, signed_on=MONDAY - days_ago * DAY, referent=referent
    )


def planned(capteur=None, **filters):
    visits = Visit.objects.filter(status="planned", **filters)
    if capteur is not None:
        visits = visits.filter(capteur=capteur)
    return list(visits.order_by("planned_on", "id"))


def test_a_dormant_partner_gets_a_follow_up_visit_from_its_referent(territory, facilitator):
    # given
    capteur = dormant(territory, referent=facilitator)
    MembershipFactory(territory=territory)  # a colleague with no visit at all

    # when
    count = visits_plan_automatic(today=MONDAY)

    # then
    assert count == 1
    [visit] = planned(capteur)
    assert (visit.kind, visit.facilitator, visit.planned_on) == ("follow_up", facilitator, MONDAY)
    assert visit.auto_planned
    event = VisitEvent.objects.get(visit=visit)
    assert (event.kind, event.actor, event.payload["auto"]) == ("planned", None, True)


def test_running_twice_the_same_day_plans_nothing_more(territory, facilitator):
    dormant(territory, referent=facilitator)
    signed(territory, 14, referent=facilitator)
    first = visits_plan_automatic(today=MONDAY)

    second = visits_plan_automatic(today=MONDAY)

    assert (first, second) == (2, 0)
    assert Visit.objects.count() == 2


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 7, 14), datetime.date(2026, 7, 15)),  # Bastille Day
        (datetime.date(2026, 12, 25), datetime.date(2026, 12, 28)),  # Christmas, a Friday
        (datetime.date(2026, 7, 18), datetime.date(2026, 7, 20)),  # a Saturday
    ],
)
def test_holidays_and_weekends_are_skipped(territory, facilitator, today, expected):
    capteur = dormant(territory, referent=facilitator)

    visits_plan_automatic(today=today)

    assert [v.planned_on for v in planned(capteur)] == [expected]


def test_an_absent_referent_gets_the_visit_after_their_return(territory, facilitator):
    facilitator.memberships.update(unavailable_until=MONDAY + 3 * DAY)  # back on Friday
    capteur = dormant(territory, referent=facilitator)

    visits_plan_automatic(today=MONDAY)

    [visit] = planned(capteur)
    assert (visit.facilitator, visit.planned_on) == (facilitator, MONDAY + 4 * DAY)


def test_the_daily_cap_spreads_visits_over_the_following_days(territory, facilitator):
    # given two visits a day at most, one already planned on Monday, and four dormant partners
    territory.visits_per_day = 2
    territory.save()
    VisitFactory(capteur__territory=territory, facilitator=facilitator, planned_on=MONDAY)
    for _ in range(4):
        dormant(territory, referent=facilitator)

    # when
    visits_plan_automatic(today=MONDAY)

    # then Monday gets one more, Tuesday is a holiday, Wednesday two, Thursday one
    days = [v.planned_on for v in planned(auto_planned=True)]
    assert days == [MONDAY, MONDAY + 2 * DAY, MONDAY + 2 * DAY, MONDAY + 3 * DAY]


def test_the_cap_counts_a_facilitators_visits_in_every_territory(
    territory, other_territory, facilitator
):
    territory.visits_per_day = 1
    territory.save()
    MembershipFactory(territory=other_territory, user=facilitator)
    VisitFactory(capteur__territory=other_territory, facilitator=facilitator, planned_on=MONDAY)
    capteur = dormant(territory, referent=facilitator)

    visits_plan_automatic(today=MONDAY)

    assert [v.planned_on for v in planned(capteur)] == [MONDAY + 2 * DAY]


def test_without_a_referent_the_least_busy_facilitator_goes(territory, facilitator):
    # given a colleague with two visits planned, and the facilitator with one
    busy = MembershipFactory(territory=territory).user
    VisitFactory.create_batch(2, capteur__territory=territory, facilitator=busy)
    VisitFactory(capteur__territory=territory, facilitator=facilitator)
    nobodys = dormant(territory)
    coordinated = dormant(
        territory, referent=MembershipFactory(territory=territory, coordinator=True).user
    )
    gone = dormant(
        territory,
        referent=MembershipFactory(territory=territory, user=UserFactory(is_active=False)).user,
    )

    # when
    visits_plan_automatic(today=MONDAY)

    # then the load evens out: the facilitator gets two (1 → 3), the busy colleague one (2 → 3)
    assigned = {c.pk: planned(c)[0].facilitator for c in (nobodys, coordinated, gone)}
    assert sorted(u.pk for u in assigned.values()) == sorted(
        [facilitator.pk, facilitator.pk, busy.pk]
    )
    assert assigned[nobodys.pk] == facilitator  # the first one went to the least busy


def test_a_capteur_with_a_visit_planned_gets_no_other(territory, facilitator):
    capteur = dormant(territory, referent=facilitator)
    manual = VisitFactory(
        capteur=capteur, facilitator=facilitator, kind="restock", planned_on=MONDAY + 20 * DAY
    )

    assert visits_plan_automatic(today=MONDAY) == 0
    assert planned(capteur) == [manual]


def test_a_dormant_partner_visited_or_cancelled_recently_is_left_alone(territory, facilitator):
    # given the territory's 45 days
    seen = dormant(territory, referent=facilitator)
    VisitFactory(capteur=seen, done=True, planned_on=MONDAY - 40 * DAY)
    called_off = dormant(territory, referent=facilitator)
    VisitFactory(capteur=called_off, cancelled=True, planned_on=MONDAY - 10 * DAY)
    long_ago = dormant(territory, referent=facilitator)
    VisitFactory(capteur=long_ago, done=True, planned_on=MONDAY - 50 * DAY)

    visits_plan_automatic(today=MONDAY)

    assert [v.capteur for v in planned(auto_planned=True)] == [long_ago]


def test_the_follow_up_window_is_the_territorys(territory, facilitator):
    territory.follow_up_after_days = 20
    territory.save()
    capteur = dormant(territory, referent=facilitator)
    VisitFactory(capteur=capteur, done=True, planned_on=MONDAY - 30 * DAY)

    assert visits_plan_automatic(today=MONDAY) == 1


def test_active_new_and_non_partner_capteurs_get_no_follow_up(territory, facilitator):
    CapteurFactory(territory=territory, sending=True, referent=facilitator)
    CapteurFactory(territory=territory, referent=facilitator)  # a prospect
    CapteurFactory(territory=territory, paused=True, referent=facilitator)
    CapteurFactory(territory=territory, withdrawn=True, referent=facilitator)
    welcomed = signed(territory, 25, referent=facilitator)  # new, and welcomed already
    VisitFactory(capteur=welcomed, kind="onboarding", done=True)

    assert visits_plan_automatic(today=MONDAY) == 0


def test_new_partners_get_an_onboarding_visit_when_it_is_due(territory, facilitator):
    # given partners signed 14, 10 and 5 days ago (the visit is due 14 days after signing)
    due_today = signed(territory, 14, referent=facilitator)
    due_friday = signed(territory, 10, referent=facilitator)
    not_yet = signed(territory, 5, referent=facilitator)

    # when
    visits_plan_automatic(today=MONDAY)

    # then those due within a week are planned on their due day
    assert [(v.capteur, v.kind, v.planned_on) for v in planned(auto_planned=True)] == [
        (due_today, "onboarding", MONDAY),
        (due_friday, "onboarding", MONDAY + 4 * DAY),
    ]
    assert planned(not_yet) == []


def test_an_onboarding_visit_is_planned_once(territory, facilitator):
    welcomed = signed(territory, 20, referent=facilitator)
    VisitFactory(capteur=welcomed, kind="onboarding", done=True, planned_on=MONDAY - 5 * DAY)
    called_off = signed(territory, 20, referent=facilitator)
    VisitFactory(capteur=called_off, kind="onboarding", cancelled=True, planned_on=MONDAY - DAY)

    assert visits_plan_automatic(today=MONDAY) == 0


def test_a_partner_signed_long_ago_gets_a_follow_up_not_an_onboarding(territory, facilitator):
    capteur = signed(territory, 60, referent=facilitator)

    visits_plan_automatic(today=MONDAY)

    assert [v.kind for v in planned(capteur)] == ["follow_up"]


def test_a_territory_without_facilitator_plans_nothing(territory, other_territory, facilitator):
    dormant(other_territory)
    dormant(territory, referent=facilitator)

    assert visits_plan_automatic(today=MONDAY) == 1
    assert not Visit.objects.filter(territory=other_territory).exists()


def test_the_task_plans_as_of_today(territory, facilitator):
    CapteurFactory(territory=territory, partner=True, referent=facilitator)  # dormant today

    assert plan_automatic.delay().get() == 1


def test_planned_visits_to_a_capteur_that_left_the_network_are_cancelled(territory, facilitator):
    # given a visit planned to a partner that has since withdrawn
    capteur = CapteurFactory(territory=territory, partner=True, referent=facilitator)
    visit = VisitFactory(capteur=capteur, facilitator=facilitator, planned_on=MONDAY)
    Capteur.objects.filter(pk=capteur.pk).update(stage=Stage.WITHDRAWN)

    # when the daily planning runs
    visits_plan_automatic(today=MONDAY)

    # then the visit is cancelled, with the reason on its timeline
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    assert visit.events.last().payload["reason"] == "Capteur retiré du réseau"
