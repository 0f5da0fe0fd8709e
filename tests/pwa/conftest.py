"""Browser tests of the PWA: Debian's Chromium driven by Playwright, against the live server.

They need /usr/bin/chromium (`make test` installs it with apt-get) and a build of the app
(`make test` builds it before pytest); without either they are skipped, saying which.
Screenshots of each screen land in var/test-artifacts/pwa/.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
ARTIFACTS = settings.BASE_DIR / "var" / "test-artifacts" / "pwa"
PASSWORD = "un-mot-de-passe-de-test"


def _skip_reason():
    if not CHROMIUM.exists():
        return "no /usr/bin/chromium (apt-get install chromium fonts-liberation)"
    if not (Path(settings.PWA_DIST_DIR) / "index.html").exists():
        return "the PWA is not built (make frontend)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if reason is None:
        return
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


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
