"""Browser tests of the public pages use the shared harness (tests/browser.py, fixtures
registered in tests/conftest.py): Debian's Chromium, a 390 × 844 phone. They need no PWA
build, only the browser."""

import pytest

from tests.browser import CHROMIUM


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason="no /usr/bin/chromium (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords and "tests/public/" in str(item.fspath):
            item.add_marker(skip)
