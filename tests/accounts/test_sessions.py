"""Sessions suited to shared devices: an idle timeout, an absolute lifetime, and logging out
of every device at once."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.accounts.factories import DEFAULT_PASSWORD
from tests.notifications.factories import freeze

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/login/", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    return client


def test_a_session_idle_longer_than_the_timeout_ends(facilitator, monkeypatch, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    clock = freeze(monkeypatch, timezone.now())
    client = logged_in(facilitator)

    # used 29 minutes later: still open (and its idle clock starts again)
    clock.now += datetime.timedelta(minutes=29)
    assert client.get("/api/v1/auth/me/").status_code == 200
    clock.now += datetime.timedelta(minutes=29)
    assert client.get("/api/v1/auth/me/").status_code == 200

    # left 31 minutes: over
    clock.now += datetime.timedelta(minutes=31)
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_a_session_ends_after_its_absolute_lifetime_even_when_used(
    facilitator, monkeypatch, settings
):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_COOKIE_AGE = 12 * 3600
    clock = freeze(monkeypatch, timezone.now())
    client = logged_in(facilitator)

    for _ in range(11 * 4):  # used every quarter of an hour for 11 hours
        clock.now += datetime.timedelta(minutes=15)
        assert client.get("/api/v1/auth/me/").status_code == 200
    clock.now += datetime.timedelta(hours=1, minutes=1)

    assert client.get("/api/v1/auth/me/").status_code == 401


def test_logging_out_everywhere_ends_the_sessions_of_other_devices(facilitator):
    phone = logged_in(facilitator)
    office = logged_in(facilitator)

    response = office.post("/api/v1/auth/logout-everywhere/")

    assert response.status_code == 204
    assert office.get("/api/v1/auth/me/").status_code == 401
    assert phone.get("/api/v1/auth/me/").status_code == 401
    assert logged_in(facilitator).get("/api/v1/auth/me/").status_code == 200
