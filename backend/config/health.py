"""/healthz: is the database reachable, and the broker when one is configured; how the outbox
stands. In config, the top layer, because it looks at every layer below.

Anyone gets the verdict only (`{"status": "ok"}`, 200, or `{"status": "down"}`, 503): a load
balancer or an uptime probe needs no more. The details (database, broker, outbox counts) are
for a logged-in Django staff user or superuser, or for a monitor sending
`Authorization: Bearer <HEALTHZ_TOKEN>`. A PostgreSQL that does not answer makes the check fail
within POSTGRES_PROBE_SECONDS, whatever state it hangs in (see `postgres_answers`).
"""

import asyncio
import hmac
import math

import psycopg
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from psycopg.conninfo import make_conninfo

from backend.accounts.authentication import is_verified
from backend.notifications.selectors import outbox_status_counts

# PostgreSQL must answer a fresh connection's SELECT 1 within this many seconds.
POSTGRES_PROBE_SECONDS = 3.0


async def _postgres_select_one(params: dict[str, str | int | None]) -> None:
    conn = await psycopg.AsyncConnection.connect(make_conninfo("", **params))
    try:
        await conn.execute("SELECT 1")
    finally:
        await conn.close()


def postgres_answers(
    params: dict[str, str | int | None], *, timeout: float = POSTGRES_PROBE_SECONDS
) -> bool:
    """True when a new connection to PostgreSQL answers SELECT 1 within `timeout` seconds.

    A clock of our own, not the server's: a PostgreSQL that is frozen (stopped, paused, its
    disk hung) never enforces its statement_timeout, and a persistent connection to it would
    hold the probe until gunicorn kills the worker. A fresh connection also leaves the
    request's own connection alone."""
    try:
        asyncio.run(asyncio.wait_for(_postgres_select_one(params), timeout))
    except Exception:  # any driver error or the timeout means "down" to a health probe
        return False
    return True


def _postgres_params() -> dict[str, str | int | None]:
    database = connection.settings_dict
    params: dict[str, str | int | None] = {
        "dbname": database["NAME"],
        "user": database["USER"],
        "password": database["PASSWORD"],
        "host": database["HOST"],
        "port": database["PORT"],
        "connect_timeout": max(2, math.ceil(POSTGRES_PROBE_SECONDS)),
    }
    # libpq's own options from DATABASE_URL (?sslmode=require...), not Django's.
    for name, value in database.get("OPTIONS", {}).items():
        if name.startswith("ssl") or name == "target_session_attrs":
            params[name] = value
    return {name: value for name, value in params.items() if value not in ("", None)}


def _database_ok():
    if connection.vendor == "postgresql":
        return postgres_answers(_postgres_params())
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down" to a health probe
        return False
    return True


def _broker_status():
    if not settings.CELERY_BROKER_URL:
        return "not_configured"
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=2,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:  # any transport error means "down" to a health probe
        return "down"
    return "ok"


def _may_see_details(request: HttpRequest) -> bool:
    user = request.user
    if (
        user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
        and is_verified(user)  # an admin's session passed the second factor
    ):
        return True
    token = settings.HEALTHZ_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(
        token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = "ok" if _database_ok() else "down"
    broker = _broker_status()
    healthy = database == "ok" and broker in ("ok", "not_configured")
    body: dict[str, object] = {"status": "ok" if healthy else "down"}
    if _may_see_details(request):
        body.update(database=database, broker=broker)
        if database == "ok":
            body["notifications"] = outbox_status_counts()
    return JsonResponse(body, status=200 if healthy else 503)
