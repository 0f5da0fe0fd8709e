"""Swagger UI and the admin render in a real browser under the site's CSP, with no violation
(headless Chromium; skipped without /usr/bin/chromium)."""

import os
from pathlib import Path

import pytest

from tests.accounts.factories import DEFAULT_PASSWORD, TOTPDeviceFactory, UserFactory, totp_code

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium"),
]

# Every CSP violation the page reports, kept on window for the test to read.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def page(live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(base_url=live_server.url, locale="fr-FR")
        context.set_default_timeout(15_000)
        context.add_init_script(RECORD_VIOLATIONS)
        yield context.new_page()
        context.close()
        browser.close()


def test_swagger_ui_renders_the_api_under_the_csp(page, settings):
    settings.API_DOCS_PUBLIC = True

    response = page.goto("/api/docs/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Relais API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-tag").first.wait_for()
    assert page.evaluate("window.__violations") == []


def test_the_admin_renders_under_the_csp(page):
    user = UserFactory(is_staff=True, is_superuser=True)
    user.set_password(DEFAULT_PASSWORD)
    user.save()
    device = TOTPDeviceFactory(user=user)

    page.goto("/admin/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.fill("input[name=otp_token]", totp_code(device))
    page.click("input[type=submit]")
    page.locator("#site-name").wait_for()

    assert page.evaluate("window.__violations") == []
