"""The cache fails open: with it down (Redis unreachable), public submissions are stored,
logins checked and inbound SMS handled; a warning says so, with no personal data."""

import logging

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.urls import get_resolver
from rest_framework import throttling

from backend.core.cache import fail_open_cache
from backend.notifications.inbound import handle_inbound_sms
from backend.referrals.models import Referral
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

pytestmark = pytest.mark.django_db


class DownCache(LocMemCache):
    """A cache whose server is unreachable: every call raises, as redis-py does."""

    def _down(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    get = set = add = delete = incr = get_many = set_many = has_key = touch = _down


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {"default": {"BACKEND": "tests.core.test_cache.DownCache"}}


@pytest.fixture
def redis_unreachable(settings):
    """Django's Redis cache pointed at a closed port, with a short socket timeout."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def code(territory, facilitator):
    return ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))


def intake_payload(code_):
    return {
        "code": code_.token,
        "first_name": "Sam",
        "phone": "06 12 34 56 78",
        "call_moments": ["morning"],
        "needs": ["emploi"],
        "consent": True,
    }


def test_a_submission_through_the_api_is_stored_while_redis_is_unreachable(
    api, code, redis_unreachable, caplog
):
    response = api.post("/api/v1/referrals/intake/", intake_payload(code))

    assert response.status_code == 201
    assert Referral.objects.count() == 1
    assert "unavailable" in caplog.text


def test_a_submission_through_the_form_is_stored_while_the_cache_is_down(
    client, code, cache_down, caplog
):
    form = {
        "first_name": "Sam",
        "phone": "06 12 34 56 78",
        "call_moments": ["morning"],
        "needs": ["emploi"],
        "consent": "on",
        "website": "",
    }

    response = client.post(code.public_path, form)

    assert response.status_code == 303
    assert Referral.objects.count() == 1
    warnings = [r for r in caplog.records if r.name == "backend.core.cache"]
    assert warnings and all(r.levelno == logging.WARNING for r in warnings)
    assert "Sam" not in caplog.text and "0612345678" not in caplog.text


def test_a_login_is_checked_while_the_cache_is_down(api, facilitator, cache_down, caplog):
    response = api.post(
        "/api/v1/auth/login/", {"email": facilitator.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    # the throttle's key carries the e-mail address: it is never logged
    assert "unavailable" in caplog.text
    assert facilitator.email not in caplog.text


def test_an_inbound_sms_is_handled_while_the_cache_is_down(cache_down, caplog):
    handle_inbound_sms(
        message_sid="SM" + "0" * 32,
        from_number="+33612345678",
        to_number="+33700000000",
        body="STOP",
    )

    assert "opt-out recorded" in caplog.text


def test_the_fail_open_cache_still_counts_when_the_cache_is_up():
    fail_open_cache.set("k", 1, 60)

    assert fail_open_cache.get("k") == 1
    assert fail_open_cache.add("k", 2) is False
    assert fail_open_cache.delete("k") is True


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_throttle_of_relais_reads_the_fail_open_cache():
    get_resolver().url_patterns  # noqa: B018 - every view module, so every throttle, imported
    throttles = {
        t for t in _subclasses(throttling.SimpleRateThrottle) if t.__module__.startswith("backend.")
    }

    assert {"LoginIPThrottle", "LoginEmailThrottle", "ReferralIPThrottle"} <= {
        t.__name__ for t in throttles
    }
    assert [t for t in throttles if t.cache is not fail_open_cache] == []
