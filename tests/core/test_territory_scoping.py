"""Walks every staff endpoint of the API: logged out → 401; no membership → 403;
another territory's object → 404. A new endpoint fails `test_every_api_endpoint_is_covered`
until it is given a row here.

Dashboard, export and facilitators' load endpoints name their territory in the query
(`?territory=<id>`): another territory there answers 404 too, like another territory's object
(`BY_QUERY`)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from backend.capteurs.services import capteur_space_issue
from backend.privacy.models import PrivacyRequest
from backend.referrals.models import Orientation
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory
from tests.referrals.factories import ReferralFactory
from tests.structures.factories import StructureFactory
from tests.visits.factories import VisitFactory

pytestmark = pytest.mark.django_db

# Endpoints anyone may call (they open or prepare a session).
PUBLIC = {"auth-login", "auth-csrf", "referral-intake"}
# Endpoints about the logged-in user, not about a territory's data.
SELF = {
    "auth-logout",
    "auth-logout-all",
    "auth-me",
    "auth-availability",
    "auth-otp-verify",
    "auth-otp-enrolment",
    "auth-otp-enrolment-confirm",
    "auth-otp-disable",
    "visit-calendar-feed",
}
# Territory-owned endpoints, each with the URL arguments naming an object.
SCOPED = {
    "capteur-list": [],
    "capteur-detail": ["capteur_id"],
    "capteur-stage": ["capteur_id"],
    "capteur-stage-changes": ["capteur_id"],
    "capteur-codes": ["capteur_id"],
    "capteur-space": ["capteur_id"],
    "capteur-space-send": ["capteur_id"],
    "capteur-space-qr-svg": ["capteur_id"],
    "capteur-space-welcome": ["capteur_id"],
    "capteur-summaries": ["capteur_id"],
    "code-detail": ["code_id"],
    "code-revoke": ["code_id"],
    "code-qr-svg": ["code_id"],
    "code-qr-png": ["code_id"],
    "code-poster": ["code_id"],
    "code-stickers": ["code_id"],
    "structure-list": [],
    "structure-detail": ["structure_id"],
    "structure-import": [],
    "referral-list": [],
    "referral-facilitators": [],
    "referral-detail": ["referral_id"],
    "referral-events": ["referral_id"],
    "referral-attempts": ["referral_id"],
    "referral-status": ["referral_id"],
    "referral-reassign": ["referral_id"],
    "referral-notes": ["referral_id"],
    "referral-orientations": ["referral_id"],
    "referral-contact": ["referral_id"],
    "referral-acknowledgment-resend": ["referral_id"],
    "orientation-detail": ["orientation_id"],
    "visit-list": [],
    "visit-round": [],
    "visit-detail": ["visit_id"],
    "visit-reschedule": ["visit_id"],
    "visit-done": ["visit_id"],
    "visit-cancel": ["visit_id"],
    "dashboard-summary": [],
    "dashboard-referrals-per-week": [],
    "dashboard-funnel": [],
    "dashboard-by-capteur-kind": [],
    "dashboard-top-capteurs": [],
    "dashboard-silent-capteurs": [],
    "dashboard-codes": [],
    "dashboard-map": [],
    "capteur-history": ["capteur_id"],
    "export-indicators-csv": [],
    "export-indicators-xlsx": [],
    "export-referrals-csv": [],
    "privacy-request-list": [],
    "privacy-request-export": ["request_id"],
    "privacy-request-export-html": ["request_id"],
    "privacy-request-erase": ["request_id"],
}
# Scoped endpoints that take their territory as `?territory=<id>` (all GET).
BY_QUERY = [
    "referral-facilitators",
    "dashboard-summary",
    "dashboard-referrals-per-week",
    "dashboard-funnel",
    "dashboard-by-capteur-kind",
    "dashboard-top-capteurs",
    "dashboard-silent-capteurs",
    "dashboard-codes",
    "dashboard-map",
    "export-indicators-csv",
    "export-indicators-xlsx",
    "export-referrals-csv",
]
METHODS = ["get", "post", "put", "patch", "delete"]


def api_routes(resolver=None, prefix=""):
    """(name, view class) of every named route under /api/v1/."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from api_routes(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            yield entry.name, entry.callback.view_class


def methods_of(view_class):
    return [m for m in METHODS if hasattr(view_class, m)]


def scoped_calls():
    routes = dict(api_routes())
    for name, kwarg_names in SCOPED.items():
        for method in methods_of(routes[name]):
            yield name, kwarg_names, method


def objects_of(territory):
    capteur = CapteurFactory(territory=territory, partner=True)
    capteur_space_issue(capteur=capteur, actor=None)  # its space link: QR, welcome sheet
    code = ReferralCodeFactory(capteur=capteur)
    structure = StructureFactory(territory=territory)
    referral = ReferralFactory(capteur=capteur, code=code, contacted=True)
    orientation = Orientation.objects.create(referral=referral, structure=structure)
    visit = VisitFactory(capteur=capteur)
    search = PrivacyRequest.objects.create(
        kind=PrivacyRequest.Kind.SEARCH,
        territory=territory,
        requested_by=MembershipFactory(territory=territory).user,
        referral_ids=[referral.id],
    )
    return {
        "capteur_id": capteur.id,
        "code_id": code.id,
        "structure_id": structure.id,
        "referral_id": referral.id,
        "orientation_id": orientation.id,
        "visit_id": visit.id,
        "request_id": search.id,
    }


def test_every_api_endpoint_is_covered():
    names = {name for name, _ in api_routes()}

    assert names == PUBLIC | SELF | set(SCOPED)


@pytest.mark.parametrize(("name", "kwarg_names", "method"), list(scoped_calls()))
def test_logged_out_gets_401(api, territory, name, kwarg_names, method):
    objects = objects_of(territory)
    url = reverse(name, kwargs={k: objects[k] for k in kwarg_names})

    response = getattr(api, method)(url, {})

    assert response.status_code == 401


@pytest.mark.parametrize("name", sorted(SELF))
def test_self_endpoints_need_a_login(api, name):
    view_methods = methods_of(dict(api_routes())[name])

    for method in view_methods:
        assert getattr(api, method)(reverse(name), {}).status_code == 401


@pytest.mark.parametrize(("name", "kwarg_names", "method"), list(scoped_calls()))
def test_a_user_without_membership_gets_403(api, territory, name, kwarg_names, method):
    objects = objects_of(territory)
    api.force_authenticate(UserFactory())
    url = reverse(name, kwargs={k: objects[k] for k in kwarg_names})

    response = getattr(api, method)(url, {})

    assert response.status_code == 403


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
@pytest.mark.parametrize(("name", "kwarg_names", "method"), [c for c in scoped_calls() if c[1]])
def test_another_territorys_object_is_404(
    api, territory, other_territory, role, name, kwarg_names, method
):
    # given a member of territory A, and objects of territory B
    api.force_authenticate(MembershipFactory(territory=territory, role=role).user)
    theirs = objects_of(other_territory)

    # when
    response = getattr(api, method)(reverse(name, kwargs={k: theirs[k] for k in kwarg_names}), {})

    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("name", "kwarg_names"), [(n, k) for n, k, method in scoped_calls() if k and method == "get"]
)
def test_own_territorys_object_is_readable(api, territory, name, kwarg_names):
    """The other side of the 404s above: the same URLs work for the territory's members."""
    api.force_authenticate(MembershipFactory(territory=territory).user)
    ours = objects_of(territory)

    response = api.get(reverse(name, kwargs={k: ours[k] for k in kwarg_names}))

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
@pytest.mark.parametrize("name", BY_QUERY)
def test_another_territory_in_the_query_is_404(api, territory, other_territory, role, name):
    # given a member of territory A, and territory B with data
    api.force_authenticate(MembershipFactory(territory=territory, role=role).user)
    objects_of(other_territory)

    # when they ask for B
    response = api.get(reverse(name), {"territory": other_territory.id})

    # then B does not exist for them, as a missing territory does not
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert api.get(reverse(name), {"territory": 999999}).status_code == 404


@pytest.mark.parametrize("name", BY_QUERY)
def test_own_territory_in_the_query_is_readable(api, territory, name):
    api.force_authenticate(MembershipFactory(territory=territory, coordinator=True).user)
    objects_of(territory)

    assert api.get(reverse(name), {"territory": territory.id}).status_code == 200


def test_capteur_list_shows_only_the_users_territories(api, territory, other_territory):
    api.force_authenticate(MembershipFactory(territory=territory).user)
    ours = CapteurFactory(territory=territory)
    CapteurFactory(territory=other_territory)

    response = api.get(reverse("capteur-list"))

    assert [row["id"] for row in response.json()["results"]] == [ours.id]


def test_visit_list_shows_only_the_users_territories(api, territory, other_territory):
    api.force_authenticate(MembershipFactory(territory=territory).user)
    ours = VisitFactory(capteur__territory=territory)
    VisitFactory(capteur__territory=other_territory)

    response = api.get(reverse("visit-list"))

    assert [row["id"] for row in response.json()["results"]] == [ours.id]


def test_the_calendar_feed_link_needs_a_membership(api):
    api.force_authenticate(UserFactory())

    assert api.post(reverse("visit-calendar-feed")).status_code == 403


def test_a_deactivated_member_sees_nothing(api, territory):
    user = MembershipFactory(territory=territory, user=UserFactory(is_active=False)).user
    CapteurFactory(territory=territory)
    api.force_authenticate(user)

    assert api.get(reverse("capteur-list")).status_code == 403


# --- the administrator: every territory, as its coordinator sees it -----------------------


def admin_user():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize(
    ("name", "kwarg_names"), [(n, k) for n, k, method in scoped_calls() if k and method == "get"]
)
def test_an_administrator_reads_any_territorys_object(api, territory, name, kwarg_names):
    # given a superuser who is a member of no territory
    api.force_authenticate(admin_user())
    theirs = objects_of(territory)

    response = api.get(reverse(name, kwargs={k: theirs[k] for k in kwarg_names}))

    assert response.status_code == 200


@pytest.mark.parametrize("name", BY_QUERY)
def test_an_administrator_reads_any_territorys_dashboard(api, territory, other_territory, name):
    api.force_authenticate(admin_user())
    objects_of(other_territory)

    assert api.get(reverse(name), {"territory": other_territory.id}).status_code == 200
    assert api.get(reverse(name), {"territory": 999999}).status_code == 404


def test_an_administrator_lists_every_territorys_referrals_pseudonymised(
    api, territory, other_territory
):
    # given referrals in two territories and a superuser member of neither
    ours, theirs = ReferralFactory(territory=territory), ReferralFactory(territory=other_territory)
    api.force_authenticate(admin_user())

    # when they open the territory-wide inbox
    response = api.get(reverse("referral-list"), {"assigned_to": "all"})

    # then both are there, as a coordinator sees them: no name, no phone
    rows = response.json()["results"]
    assert {row["id"] for row in rows} == {ours.id, theirs.id}
    assert {(row["first_name"], row["phone"]) for row in rows} == {(None, None)}


def test_an_administrator_sees_every_territory_in_their_profile(api, territory, other_territory):
    # given a superuser who is a facilitator in one territory only
    admin = admin_user()
    MembershipFactory(user=admin, territory=territory, role="facilitator")
    api.force_authenticate(admin)

    body = api.get(reverse("auth-me")).json()

    # then their own role holds there, and they coordinate everywhere else
    assert body["is_admin"] is True
    assert {(m["territory_id"], m["role"]) for m in body["memberships"]} == {
        (territory.id, "facilitator"),
        (other_territory.id, "coordinator"),
    }


@pytest.mark.parametrize(
    "user",
    [
        pytest.param({"is_staff": True}, id="staff-not-superuser"),
        pytest.param({"is_superuser": True, "is_active": False}, id="deactivated-superuser"),
    ],
)
def test_only_an_active_superuser_is_an_administrator(api, territory, user):
    objects_of(territory)
    api.force_authenticate(UserFactory(**user))

    assert api.get(reverse("referral-list")).status_code in {401, 403}
