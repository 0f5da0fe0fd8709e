import pytest
from rest_framework.test import APIClient

from tests.accounts.factories import MembershipFactory, TerritoryFactory
from tests.browser import chromium, phone, playwright_driver, shoot  # noqa: F401 (fixtures)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need a server's concurrency; on SQLite they are skipped."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Production hashes static names from a manifest written by collectstatic (deploy);
    tests serve them unhashed instead of collecting them first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def territory(db):
    return TerritoryFactory(name="Ouest Béarn", slug="ouest-bearn")


@pytest.fixture
def other_territory(db):
    return TerritoryFactory(name="Haut Béarn", slug="haut-bearn")


@pytest.fixture
def facilitator(territory):
    return MembershipFactory(territory=territory, facilitator=True).user


@pytest.fixture
def coordinator(territory):
    return MembershipFactory(territory=territory, coordinator=True).user


# force_authenticate hands DRF a user without a session: it skips the API's authentication,
# the second-factor rule of coordinators and admins with it (backend.accounts.authentication),
# as a test of what a coordinator may do inside the API needs. The rule itself is tested with
# real sessions (tests/accounts/test_otp.py); a session that passed it: log_in_verified.
@pytest.fixture
def facilitator_api(api, facilitator):
    api.force_authenticate(facilitator)
    return api


@pytest.fixture
def coordinator_api(coordinator):
    """A client of its own, so that a test may use it next to `facilitator_api`."""
    client = APIClient()
    client.force_authenticate(coordinator)
    return client


@pytest.fixture
def django_assert_max_real_queries():
    """Like pytest-django's django_assert_max_num_queries, without the SAVEPOINT statements
    a test adds: in a test, every transaction.atomic() runs inside the test's transaction as
    a savepoint, while in production it is a plain BEGIN/COMMIT, which is no query."""
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def assert_max(limit):
        with CaptureQueriesContext(connection) as context:
            yield context
        real = [
            q["sql"]
            for q in context.captured_queries
            if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))
        ]
        assert len(real) <= limit, f"{len(real)} queries > {limit}:\n" + "\n".join(real)

    return assert_max


def problem_errors(response):
    """The field errors of a problem details response."""
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return response.json()["errors"]


def markdown_table(text, *, under=None):
    """The rows of the first Markdown table of `text` (of the first after the line `under`),
    as tuples of stripped cells, header row first and separator row left out."""
    lines = [line.strip() for line in text.splitlines()]
    if under is not None:
        lines = lines[lines.index(under) + 1 :]
    rows = []
    for line in lines:
        if line.startswith("|"):
            rows.append(tuple(cell.strip() for cell in line.strip("|").split("|")))
        elif rows:
            break
    return [row for row in rows if not set("".join(row)) <= {"-", ":"}]


def readme():
    from django.conf import settings

    return (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
