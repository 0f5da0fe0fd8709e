"""Browser tests of the PWA: Debian's Chromium driven by Playwright, against the live server
(the harness's fixtures: tests/browser.py).

They need /usr/bin/chromium (`make test` installs it with apt-get) and a build of the app
(`make test` builds it before pytest); without either they are skipped, saying which.
Screenshots of each screen land in var/test-artifacts/pwa/.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests.browser import ARTIFACTS, CHROMIUM, PHONE

__all__ = ["ARTIFACTS", "CHROMIUM", "PASSWORD", "PHONE"]

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
