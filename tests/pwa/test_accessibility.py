"""axe-core on every screen of the PWA, on a 390 × 844 phone: no serious or critical
violation (issue 9's budget; Lighthouse's accessibility score is measured by `make bench`).

A new screen is one line in SCREENS: its route (formatted with the seeded objects) and the
heading its page shows once loaded."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.accounts.factories import MembershipFactory, TOTPDeviceFactory, totp_code
from tests.browser import AXE, PHONE, axe_violations
from tests.capteurs.factories import ReferralCodeFactory
from tests.pwa.conftest import PASSWORD
from tests.pwa.test_browser import facilitator, referral  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (name, path, heading level 1 once loaded, who is logged in: None, the facilitator, or a
# coordinator of the territory, whose session passed the second factor)
SCREENS = [
    ("login", "/app/connexion", "Connexion à Relais", None),
    ("inbox", "/app/", "Mes orientations", "facilitator"),
    ("referral", "/app/orientations/{referral.id}", "Jordan", "facilitator"),
    ("capteurs", "/app/capteurs", "Capteurs", "facilitator"),
    ("capteur", "/app/capteurs/{capteur.id}", "Bar-tabac Le Balto", "facilitator"),
    ("capteur-new", "/app/capteurs/nouveau", "Nouveau capteur", "facilitator"),
    ("round", "/app/tournee", "Ma tournée", "facilitator"),
    ("me", "/app/moi", "Camille Laborde", "facilitator"),
    ("reseau", "/app/reseau", "Le réseau", "coordinator"),
]


@pytest.fixture
def axe_phone(chromium, live_server):
    """The phone, with the app's CSP bypassed so that axe-core can be injected."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make frontend)")
    context = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, locale="fr-FR", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


def log_in_through_the_api(context, user):
    """The session cookie in the phone, as the login screen would leave it (the login screen
    itself is tested in test_browser.py), past the second factor when the user has one."""
    context.request.get("/api/v1/auth/csrf/")
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    answer = context.request.post(
        "/api/v1/auth/login/",
        data={"email": user.email, "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    assert answer.ok, answer.text()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        answer = context.request.post(
            "/api/v1/auth/otp/verify/",
            data={"code": totp_code(device)},
            headers={"X-CSRFToken": token},
        )
        assert answer.ok, answer.text()


@pytest.mark.parametrize(
    ("path", "heading", "who"),
    [pytest.param(path, heading, who, id=name) for name, path, heading, who in SCREENS],
)
def test_axe_finds_no_serious_violation_on_the_screen(
    axe_phone,
    referral,  # noqa: F811 (the fixture imported above)
    path,
    heading,
    who,
):
    # given the seeded facilitator (logged in, except on the login screen), whose capteur
    # has a code: its detail shows the codes and posters block
    ReferralCodeFactory(capteur=referral.capteur)
    if who == "facilitator":
        log_in_through_the_api(axe_phone, referral.assigned_to)
    elif who == "coordinator":
        coordinator = MembershipFactory(territory=referral.territory, coordinator=True).user
        coordinator.set_password(PASSWORD)
        coordinator.save()
        TOTPDeviceFactory(user=coordinator)
        log_in_through_the_api(axe_phone, coordinator)
    page = axe_phone.new_page()

    # when the screen is open and loaded
    page.goto(path.format(referral=referral, capteur=referral.capteur))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator(".loading")).to_have_count(0)

    # then axe-core finds nothing serious or critical
    assert axe_violations(page, impacts={"serious", "critical"}) == []


def test_axe_sees_a_field_without_its_label(axe_phone):
    """The check above can fail: a field stripped of its label is a critical violation."""
    page = axe_phone.new_page()
    page.goto("/app/connexion")
    expect(page.get_by_label("Adresse e-mail")).to_be_visible()

    page.evaluate(
        "() => document.querySelectorAll('label').forEach((l) => l.replaceWith(...l.childNodes))"
    )

    assert "label" in [rule for rule, _, _ in axe_violations(page, impacts={"critical"})]
