"""The production stack, proven on this machine (deploy/drill.py): deploy/Procfile under
honcho (gunicorn, a Celery worker, beat) on the test database and a private redis-server, SMS
to the fake Twilio. PostgreSQL only (pg_dump, concurrent processes); skipped without
redis-server or honcho. The machine's Redis is never stopped: each drill starts its own."""

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import global_settings
from django.db import connection

from deploy import drill

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server binary"),
    pytest.mark.skipif(not (drill.VENV_BIN / "honcho").exists(), reason="no honcho (dev deps)"),
]


def _test_database_url() -> str:
    """The database pytest-django created: the stack's processes must use that one."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture(scope="module")
def collected_static():
    """gunicorn runs with DEBUG off: its pages need collectstatic's manifest."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env={**drill.Stack.base_env(), "DJANGO_SETTINGS_MODULE": "backend.config.settings"},
        check=True,
    )


@pytest.fixture
def seeded(db, settings):
    # The stack hashes with production's hashers, not the tests' fast MD5.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    return drill.seed()


def test_a_referral_from_the_public_page_reaches_the_facilitator_and_survives_a_restore(
    collected_static, seeded, tmp_path
):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("no pg_dump/pg_restore")

    report = drill.stack_drill(database_url=_test_database_url(), workdir=tmp_path, seeded=seeded)

    # the person's referral: its two SMS accepted once each by Twilio, one to the facilitator
    assert report["sms"]["problems"] == []
    assert report["sms"]["messages_accepted"] == report["sms"]["sms_due"] >= 1
    # the facilitator finds it through the API
    assert report["facilitator_sees"] == 1
    # pg_dump → a fresh database → the app answers with the same counts
    assert report["restore"]["counts"] == report["counts"]
    assert report["counts"]["outbox"]["sent"] == report["sms"]["sms_due"]


def test_under_load_a_broker_outage_and_a_worker_killed_mid_send_lose_and_repeat_no_sms(
    collected_static, seeded, tmp_path
):
    report = drill.outage_drill(database_url=_test_database_url(), workdir=tmp_path, seeded=seeded)

    # the kill landed while Twilio held two sends' answers
    assert report["sends_in_flight_at_kill"] == 2
    # every submission stored, including those made while Redis and the worker were down
    assert report["submitted_during_outage"] > 0
    assert report["stored"] == report["submissions"]
    # every SMS accepted exactly once: none lost with Redis' queue, none repeated by the sweep
    assert report["sms"]["problems"] == []
    assert report["sms"]["messages_accepted"] == report["sms"]["sms_due"]
    # the claim the dead worker left was settled by the sweep and sent again, once
    assert report["stale_claims"]
    assert all(claim["attempts"] == 2 for claim in report["stale_claims"])
