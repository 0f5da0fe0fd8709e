"""The browser harness shared by every browser test (tests/pwa, tests/public): Debian's
Chromium driven by Playwright, a 390 × 844 French phone, screenshots in
var/test-artifacts/pwa/. Its fixtures are registered once, in tests/conftest.py: a
session-scoped Playwright driver defined twice would start two event loops and fail."""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
ARTIFACTS = settings.BASE_DIR / "var" / "test-artifacts" / "pwa"


@pytest.fixture(scope="session")
def playwright_driver():
    # The driver runs an event loop in this thread: Django's ORM, used by the tests to check
    # what the server wrote, would refuse to run beside it without this.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield browser
    browser.close()


@pytest.fixture
def phone(chromium, live_server):
    """A fresh phone: 390 × 844, French, touch, a position to give when asked."""
    context = chromium.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        geolocation={"latitude": 43.3812, "longitude": -0.6261},
        permissions=["geolocation"],
    )
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def shoot():
    """Saves a screenshot of `page` as var/test-artifacts/pwa/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return save


# --- accessibility: axe-core (frontend/node_modules, a devDependency of the PWA) ----------

AXE = settings.BASE_DIR / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page, impacts=None):
    """axe-core's violations on `page` as (rule, impact, targets), those of `impacts` only if
    given. The page's context must bypass the CSP (axe-core is injected as a script)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in found
        if impacts is None or v["impact"] in impacts
    ]
