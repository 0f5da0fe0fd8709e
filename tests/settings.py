"""The test suite's settings: production's (DEBUG off), with a signing key of its own.

With DEBUG off the settings refuse to start without SECRET_KEY; this key is no secret (tests
only), and subprocesses the tests start (a Celery worker) inherit it."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)

from backend.config.settings import *  # noqa: F403
