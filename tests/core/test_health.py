import json
import os
import socket
import subprocess
import sys
import time

import pytest
from django.db import OperationalError, connection

from backend.config import health
from backend.config.health import postgres_answers
from tests.accounts.factories import UserFactory, log_in_verified

pytestmark = pytest.mark.django_db


def redis_answers():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def operator_client(client):
    log_in_verified(client, UserFactory(is_staff=True))
    return client


def test_healthz_tells_anyone_the_verdict_only(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_tells_a_facilitator_the_verdict_only(client, facilitator):
    client.force_login(facilitator)

    assert client.get("/healthz").json() == {"status": "ok"}


def test_healthz_reports_the_database_and_no_broker_by_default(operator_client):
    response = operator_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "not_configured",
        "notifications": {"pending": 0, "sent": 0, "failed": 0},
    }


@pytest.mark.skipif(not redis_answers(), reason="needs a Redis server on 127.0.0.1:6379")
def test_healthz_reports_a_reachable_broker(operator_client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    response = operator_client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_is_503_when_the_configured_broker_is_down(operator_client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"

    response = operator_client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["broker"] == "down"


def test_healthz_details_for_a_monitor_with_the_token(client, settings):
    settings.HEALTHZ_TOKEN = "s3cr3t-monitor-token"

    response = client.get("/healthz", HTTP_AUTHORIZATION="Bearer s3cr3t-monitor-token")

    assert response.json()["notifications"] == {"pending": 0, "sent": 0, "failed": 0}


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic s3cr3t-monitor-token", ""])
def test_healthz_no_details_without_the_right_token(client, settings, header):
    settings.HEALTHZ_TOKEN = "s3cr3t-monitor-token"

    assert client.get("/healthz", HTTP_AUTHORIZATION=header).json() == {"status": "ok"}


def test_healthz_no_details_for_an_empty_bearer_when_no_token_is_set(client, settings):
    settings.HEALTHZ_TOKEN = ""

    assert client.get("/healthz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}


def test_healthz_is_503_at_once_when_the_database_fails(client, monkeypatch):
    def timed_out(*args, **kwargs):
        raise OperationalError("canceling statement due to statement timeout")

    # SQLite is probed through the request's connection, PostgreSQL through a fresh one: both
    # fail here (a statement timing out; nothing listening).
    monkeypatch.setattr(connection, "cursor", timed_out)
    monkeypatch.setattr(
        health,
        "_postgres_params",
        lambda: {"host": "127.0.0.1", "port": 1, "dbname": "relais", "connect_timeout": 2},
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "down"}


def _database_settings(**env):
    """DATABASES["default"] as the settings build it from `env` (a fresh interpreter)."""
    script = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE", "DJANGO_SETTINGS"))
    }
    environ.update(DJANGO_SETTINGS_MODULE="backend.config.settings", SECRET_KEY="x" * 50, **env)
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_postgresql_connections_time_out_by_default():
    database = _database_settings(DATABASE_URL="postgres://relais@127.0.0.1:5432/relais")

    assert database["OPTIONS"] == {
        "connect_timeout": 5,
        "options": "-c statement_timeout=30000 -c jit=off -c random_page_cost=1.1",
    }


def test_postgresql_timeouts_come_from_the_environment():
    database = _database_settings(
        DATABASE_URL="postgres://relais@127.0.0.1:5432/relais",
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_STATEMENT_TIMEOUT="0",
    )

    assert database["OPTIONS"] == {
        "connect_timeout": 2,
        "options": "-c jit=off -c random_page_cost=1.1",
    }


def test_postgresql_planner_settings_come_from_the_environment():
    database = _database_settings(
        DATABASE_URL="postgres://relais@127.0.0.1:5432/relais",
        DATABASE_JIT="1",
        DATABASE_RANDOM_PAGE_COST="4",
    )

    assert database["OPTIONS"]["options"] == "-c statement_timeout=30000 -c random_page_cost=4.0"


def test_an_unreachable_postgresql_fails_the_connection_within_the_connect_timeout():
    # 192.0.2.1 (TEST-NET-1) drops packets: without a timeout, libpq would wait for minutes
    started = time.monotonic()
    script = (
        "import django; django.setup(); from django.db import connection\n"
        "try:\n    connection.ensure_connection()\nexcept Exception as exc:\n"
        "    print(type(exc).__name__)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE")}
    environ.update(
        DJANGO_SETTINGS_MODULE="backend.config.settings",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://relais@192.0.2.1:5432/relais",
        DATABASE_CONNECT_TIMEOUT="1",
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", script], env=environ, capture_output=True, text=True, timeout=30
    )

    assert result.stdout.strip() == "OperationalError", result.stderr
    assert time.monotonic() - started < 10


def test_a_postgresql_that_accepts_connections_but_never_answers_is_down_within_seconds():
    # given a server that accepts TCP connections and then says nothing (a frozen PostgreSQL:
    # the kernel still completes the handshake)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        host, port = silent.getsockname()

        # when /healthz's probe asks it for SELECT 1
        started = time.monotonic()
        answered = postgres_answers(
            {"host": host, "port": port, "dbname": "relais", "user": "relais"}, timeout=1.0
        )

    # then it is down, and we knew within the probe's own clock
    assert answered is False
    assert time.monotonic() - started < 3


def test_the_postgresql_probe_is_used_on_postgresql(client, monkeypatch):
    calls = []
    monkeypatch.setattr(connection, "vendor", "postgresql")
    monkeypatch.setattr(
        "backend.config.health.postgres_answers", lambda params: calls.append(params) or False
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    assert calls and calls[0]["connect_timeout"] >= 2


def test_the_postgresql_probe_keeps_the_url_s_ssl_options(monkeypatch):
    monkeypatch.setitem(
        connection.settings_dict,
        "OPTIONS",
        {"sslmode": "require", "options": "-c statement_timeout=30000", "pool": True},
    )

    params = health._postgres_params()

    assert params["sslmode"] == "require"
    assert "options" not in params and "pool" not in params


def test_an_admin_session_without_the_second_factor_gets_the_verdict_only(client):
    client.force_login(UserFactory(is_staff=True))

    assert set(client.get("/healthz").json()) == set(client_anonymous_verdict())


def client_anonymous_verdict():
    from django.test import Client

    return Client().get("/healthz").json()
