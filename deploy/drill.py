"""Drills of the production stack on one machine: deploy/Procfile under honcho (gunicorn, a
Celery worker, beat) on PostgreSQL and a private Redis, Twilio faked on 127.0.0.1.

    .venv/bin/python deploy/drill.py stack     # a referral from the public page to the SMS and
                                               # the facilitator's API, then backup → restore
    .venv/bin/python deploy/drill.py outage    # load, Redis stopped, the worker killed mid-send

Each run creates its own database (relais_drill_<pid>, on DRILL_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432) and its own redis-server on a free port, and removes both:
the machine's Redis and databases are never touched. tests/deploy/test_drill.py runs the same
drills on pytest's test database (`make test`, PostgreSQL only). Needs the dev dependencies
(honcho, factory_boy) and `redis-server`, `pg_dump`, `pg_restore` on PATH. Exit status 0 when
every check held; the report is printed as JSON.
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

BASE_DIR = Path(__file__).resolve().parents[1]
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

VENV_BIN = Path(sys.executable).parent
PROCFILE = BASE_DIR / "deploy" / "Procfile"
ACCOUNT_SID = "AC" + "3" * 32
AUTH_TOKEN = "drill-auth-token"  # noqa: S105 - the fake Twilio's, on 127.0.0.1
MESSAGING_SERVICE_SID = "MG" + "4" * 32
HEALTHZ_TOKEN = "drill-healthz-token"  # noqa: S105 - for this run's stack only
SECRET_KEY = "drill-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
FACILITATOR_PASSWORD = "drill-facilitator-password"  # noqa: S105 - a throwaway login
# The worker's Twilio client waits longer than the fake holds an answer (no timeout retry:
# that path's duplicate is tested in tests/notifications), and a claim is stale well after
# the longest live send: the sweep never takes a send in flight from a live worker.
TWILIO_TIMEOUT = 6
HOLD_SECONDS = 5.0
STALE_SECONDS = 10
READY_TIMEOUT = 30.0
SETTLE_TIMEOUT = 40.0


class DrillFailed(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise DrillFailed(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port, payload=b"PING\r\n", expect=b"+PONG", timeout=0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(payload)
            return sock.recv(16).startswith(expect)
    except OSError:
        return False


def _stop_group(process, *, sig=signal.SIGTERM, timeout=15):
    """Signals the process's group (it was started in a session of its own), then waits;
    SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)


# --- Redis ---------------------------------------------------------------------------------


class RedisServer:
    """A private redis-server (no persistence: stopping it loses every queued task)."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                shutil.which("redis-server") or "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                *("--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not _answers(self.port):
            check(
                time.monotonic() < deadline and self.process.poll() is None,
                f"redis-server did not start on port {self.port}",
            )
            time.sleep(0.05)

    def stop(self):
        _stop_group(self.process)
        self.process = None


# --- the stack under honcho ------------------------------------------------------------------


class Honcho:
    """`honcho start <names>` from deploy/Procfile, its output kept in a log file."""

    def __init__(self, names, *, env, log_path: Path, env_file: Path):
        self.names = names
        self.env = env
        self.log_path = log_path
        self.env_file = env_file
        self.process = None
        self._log = None

    def start(self):
        self._log = self.log_path.open("a", encoding="utf-8")
        self.process = subprocess.Popen(  # noqa: S603 - our venv's honcho, fixed arguments
            [
                str(VENV_BIN / "honcho"),
                *("-f", str(PROCFILE), "-d", str(BASE_DIR), "-e", str(self.env_file)),
                "start",
                *self.names,
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def child_pid(self, name, *, timeout=10.0) -> int:
        """The pid honcho reports for `name` (e.g. "worker.1"), the leader of its group."""
        pattern = re.compile(rf"system\s*\| {re.escape(name)} started \(pid=(\d+)\)")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = pattern.findall(self.log_path.read_text(encoding="utf-8", errors="replace"))
            if found:
                return int(found[-1])
            time.sleep(0.1)
        raise DrillFailed(f"honcho did not start {name}")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self):
        # honcho passes SIGTERM on to every process (Celery's warm shutdown) and waits.
        _stop_group(self.process, timeout=20)
        self.process = None
        if self._log:
            self._log.close()
            self._log = None


@dataclass
class Stack:
    """web + beat under one honcho, the worker under another (so it can die alone)."""

    database_url: str
    workdir: Path
    fake: object
    web_port: int = field(default_factory=free_port)
    redis: RedisServer | None = None
    web: Honcho | None = None
    worker: Honcho | None = None
    worker_starts: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "stack.log"

    @staticmethod
    def base_env() -> dict:
        """The caller's environment without its Relais configuration, the venv on PATH."""
        env = {
            key: value
            for key, value in os.environ.items()
            # Nothing of the caller's configuration: TWILIO_EDGE would even rewrite the
            # fake's host into Twilio's, a .env's DEBUG would change the stack.
            if not key.startswith(
                ("CELERY_", "TWILIO_", "SMS_", "DJANGO_", "DATABASE_", "CACHE_", "NOTIFICATION_")
            )
        }
        env.update(
            PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            DEBUG="0",
            SECRET_KEY=SECRET_KEY,
        )
        return env

    def env(self) -> dict:
        env = self.base_env()
        env.update(
            DJANGO_SETTINGS_MODULE="backend.config.settings",
            PYTHONUNBUFFERED="1",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PUBLIC_BASE_URL=self.base_url,
            SECURE_COOKIES="0",
            SECURE_SSL_REDIRECT="0",
            HSTS_SECONDS="0",
            HEALTHZ_TOKEN=HEALTHZ_TOKEN,
            DATABASE_URL=self.database_url,
            CELERY_BROKER_URL=f"{self.redis.url}/0",
            CACHE_URL=f"{self.redis.url}/1",
            BIND=f"127.0.0.1:{self.web_port}",
            WEB_CONCURRENCY="2",
            WORKER_CONCURRENCY="2",
            WORKER_NAME=uuid.uuid4().hex[:8],
            BEAT_SCHEDULE=str(self.workdir / "celerybeat-schedule"),
            SMS_BACKEND="twilio",
            TWILIO_API_BASE_URL=self.fake.url,
            TWILIO_ACCOUNT_SID=self.fake.account_sid,
            TWILIO_AUTH_TOKEN=self.fake.auth_token,
            TWILIO_MESSAGING_SERVICE_SID=MESSAGING_SERVICE_SID,
            TWILIO_TIMEOUT=str(TWILIO_TIMEOUT),
            SMS_PERSON_HOUR_FROM="0",
            SMS_PERSON_HOUR_TO="24",
            SMS_DAILY_CAP_PER_NUMBER="100000",
            REFERRAL_THROTTLE_RATE_IP="100000/hour",
            REFERRAL_THROTTLE_RATE_CODE="100000/hour",
            LOGIN_THROTTLE_RATE="1000/min",
            NOTIFICATION_RETRY_BASE_SECONDS="0",
            # The sweep every second, a claim stale after 10 s, a queued row queued again
            # after 3 s: what production does in minutes, the drill does in seconds.
            NOTIFICATION_SWEEP_SECONDS="1",
            NOTIFICATION_SENDING_STALE_SECONDS=str(STALE_SECONDS),
            NOTIFICATION_PENDING_RESEND_SECONDS="3",
            EMAIL_URL="consolemail://",
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
        )
        return env

    def _honcho(self, names):
        env_file = self.workdir / "empty.env"
        env_file.touch()
        return Honcho(names, env=self.env(), log_path=self.log_path, env_file=env_file)

    def start(self, *, worker=True):
        self.redis = RedisServer(self.workdir)
        self.redis.start()
        self.web = self._honcho(["web", "beat"]).start()
        if worker:
            self.start_worker()
        self.wait_ready()

    def start_worker(self):
        self.worker = self._honcho(["worker"]).start()
        self.worker_starts += 1
        self._wait_for_log("worker", "ready.", occurrence=self.worker_starts)

    def kill_worker(self):
        """SIGKILL to the worker's whole process group (main process and pool children): a
        machine losing power, no warm shutdown, no task acknowledged or handed back."""
        pid = self.worker.child_pid("worker.1")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        self.worker.stop()

    def _wait_for_log(self, name, text, *, occurrence=1, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            if sum(f"{name}.1" in line and text in line for line in lines) >= occurrence:
                return
            time.sleep(0.2)
        raise DrillFailed(f"{name} not {text!r} within {timeout} s:\n{self.log_tail()}")

    def wait_ready(self):
        import requests

        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            check(self.web.running(), f"web/beat stopped:\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise DrillFailed(f"/healthz not 200 within {READY_TIMEOUT} s:\n{self.log_tail()}")

    def health(self) -> dict:
        import requests

        return requests.get(
            f"{self.base_url}/healthz",
            headers={"Authorization": f"Bearer {HEALTHZ_TOKEN}"},
            timeout=5,
        ).json()

    def log_tail(self, lines=80) -> str:
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self):
        for part in (self.worker, self.web):
            if part is not None:
                part.stop()
        if self.redis is not None:
            self.redis.stop()


# --- data and clients ------------------------------------------------------------------------


@dataclass
class Seeded:
    code_token: str
    facilitator_email: str
    facilitator_phone: str
    facilitator_first_name: str


def seed() -> Seeded:
    """A territory, its facilitator (with a password and a phone) and a partner capteur's code
    (Django must be set up on the drill's database)."""
    from tests.accounts.factories import MembershipFactory, TerritoryFactory
    from tests.capteurs.factories import CapteurFactory, ReferralCodeFactory

    territory = TerritoryFactory(name="Territoire de l'exercice", slug=f"drill-{os.getpid()}")
    facilitator = MembershipFactory(territory=territory, facilitator=True).user
    facilitator.set_password(FACILITATOR_PASSWORD)
    facilitator.save(update_fields=["password"])
    code = ReferralCodeFactory(capteur=CapteurFactory(territory=territory, partner=True))
    return Seeded(
        code_token=code.token,
        facilitator_email=facilitator.email,
        facilitator_phone=str(facilitator.phone),
        facilitator_first_name=facilitator.first_name,
    )


def person_phone(n: int) -> str:
    return f"06 98 {n // 10000 % 100:02d} {n // 100 % 100:02d} {n % 100:02d}"


def submit_public_form(base_url, token, *, n) -> str:
    """A person opens the capteur's page and sends the form; returns the page they land on."""
    import requests

    session = requests.Session()
    page = session.get(f"{base_url}/r/{token}", timeout=10)
    check(page.status_code == 200, f"landing page answered {page.status_code}")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    check(csrf is not None, "no CSRF token on the landing page")
    sent = session.post(
        f"{base_url}/r/{token}",
        data={
            "csrfmiddlewaretoken": csrf[1],
            "first_name": "Noé",
            "phone": person_phone(n),
            "call_moments": ["evening"],
            "needs": ["emploi"],
            "consent": "on",
            "via": "qr",
        },
        headers={"Referer": f"{base_url}/r/{token}"},
        timeout=10,
    )
    check(sent.status_code == 200, f"the form answered {sent.status_code}")
    return sent.text


def submit_intake(base_url, token, *, n, attempts=5) -> str:
    """The intake API, as the landing page's script does; a network error is retried with the
    same idempotency key (never a second referral). Returns the referral's reference."""
    import requests

    key = str(uuid.uuid4())
    payload = {
        "code": token,
        "first_name": "Camille",
        "phone": person_phone(n),
        "call_moments": ["morning"],
        "needs": ["emploi"],
        "consent": True,
        "idempotency_key": key,
    }
    for attempt in range(attempts):
        try:
            response = requests.post(
                f"{base_url}/api/v1/referrals/intake/", json=payload, timeout=15
            )
        except requests.RequestException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
            continue
        check(response.status_code in (200, 201), f"intake answered {response.status_code}")
        return response.json()["reference"]
    raise DrillFailed("unreachable")


def facilitator_references(base_url, email, password) -> list[str]:
    """Logs in as the facilitator and lists every referral the API shows them (all pages)."""
    import requests

    session = requests.Session()
    session.get(f"{base_url}/api/v1/auth/csrf/", timeout=10)
    login = session.post(
        f"{base_url}/api/v1/auth/login/",
        json={"email": email, "password": password},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": base_url},
        timeout=10,
    )
    check(login.status_code == 200, f"facilitator login answered {login.status_code}")
    references, url = [], f"{base_url}/api/v1/referrals/"
    while url:
        page = session.get(url, timeout=10)
        check(page.status_code == 200, f"referral list answered {page.status_code}")
        body = page.json()
        references += [row["reference"] for row in body["results"]]
        url = body.get("next")
    return references


def _sms_rows(references):
    """The outbox SMS of these referrals: (id, reference, status, provider id, due)."""
    from django.db import close_old_connections
    from django.utils import timezone

    from backend.notifications.enums import Channel
    from backend.notifications.models import Notification

    close_old_connections()
    now = timezone.now()
    by_pk = {_pk(reference): reference for reference in references}
    rows = Notification.objects.filter(referral__in=list(by_pk), channel=Channel.SMS).values_list(
        "id", "referral_id", "status", "provider_id", "not_before"
    )
    return [
        (pk, by_pk[referral_id], status, provider_id, not_before is None or not_before <= now)
        for pk, referral_id, status, provider_id, not_before in rows
    ]


def _pk(reference: str) -> int:
    """A referral's id from its reference (R-<year>-<id>, Referral.pseudonym)."""
    return int(reference.rsplit("-", 1)[1])


def _latest_reference() -> str:
    from django.db import close_old_connections

    from backend.referrals.models import Referral

    close_old_connections()
    latest = Referral.objects.order_by("-pk").first()
    check(latest is not None, "no referral stored")
    return latest.pseudonym


def _settled(rows) -> bool:
    from backend.notifications.enums import NotificationStatus

    done = {NotificationStatus.SENT, NotificationStatus.DELIVERED, NotificationStatus.FAILED}
    return all(status in done for _, _, status, _, due in rows if due)


def wait_until_settled(references, *, timeout=SETTLE_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        rows = _sms_rows(references)
        if _settled(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def exactly_once_report(references, fake) -> dict:
    """Per outbox SMS of these referrals: how many messages the fake Twilio accepted for it.
    A due SMS must have been accepted exactly once, with the sid the row recorded; an SMS
    waiting for the morning (Sunday, public holiday) not at all."""
    from backend.notifications.enums import NotificationStatus

    rows = wait_until_settled(references)
    accepted: dict[int, list[str]] = {}
    for message in fake.messages():
        accepted.setdefault(message.outbox_id, []).append(message.sid)
    problems = []
    per_referral: dict[str, int] = {}
    for pk, reference, status, provider_id, due in rows:
        sids = accepted.get(pk, [])
        per_referral[reference] = per_referral.get(reference, 0) + len(sids)
        if not due:
            if sids:
                problems.append(f"outbox {pk} ({reference}) sent before it was due")
            continue
        if status not in (NotificationStatus.SENT, NotificationStatus.DELIVERED):
            problems.append(f"outbox {pk} ({reference}) ended {status}")
        if len(sids) != 1:
            problems.append(f"outbox {pk} ({reference}) accepted {len(sids)} times")
        elif provider_id != sids[0]:
            problems.append(f"outbox {pk} ({reference}) recorded {provider_id!r}, not {sids[0]}")
    ours = {pk for pk, *_ in rows}
    strays = [m.outbox_id for m in fake.messages() if m.outbox_id not in ours]
    if strays:
        problems.append(f"messages for unknown outbox rows {strays}")
    missing = set(references) - {reference for _, reference, *_ in rows}
    if missing:
        problems.append(f"referrals without an SMS: {sorted(missing)}")
    return {
        "sms_rows": len(rows),
        "sms_due": sum(1 for *_, due in rows if due),
        "messages_accepted": len(fake.messages()),
        "messages_per_referral": sorted(set(per_referral.values())),
        "problems": problems,
    }


# --- the drills ------------------------------------------------------------------------------


def stack_drill(*, database_url, workdir: Path, seeded: Seeded, restore=True) -> dict:
    """A referral through the public page → the facilitator's SMS at the fake Twilio → the
    referral in the facilitator's API. Then pg_dump → a fresh database → a web process on it
    answers with the same counts."""
    from tests.notifications.fake_twilio import FakeTwilio

    report: dict = {}
    with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN) as fake:
        stack = Stack(database_url=database_url, workdir=workdir, fake=fake)
        try:
            stack.start()
            landed = submit_public_form(stack.base_url, seeded.code_token, n=1)
            check(
                seeded.facilitator_first_name in landed,
                "the confirmation page does not say who calls back",
            )
            references = [_latest_reference()]
            sms = exactly_once_report(references, fake)
            check(not sms["problems"], f"SMS: {sms['problems']}")
            alert = [m for m in fake.messages() if m.form["To"] == seeded.facilitator_phone]
            check(len(alert) == 1, f"{len(alert)} SMS to the facilitator")
            check(references[0] in alert[0].form["Body"], "the SMS does not name the referral")
            seen = facilitator_references(
                stack.base_url, seeded.facilitator_email, FACILITATOR_PASSWORD
            )
            check(references[0] in seen, f"{references[0]} not in the facilitator's list")
            report.update(reference=references[0], sms=sms, facilitator_sees=len(seen))
            report["counts"] = {"referrals": len(seen), "outbox": stack.health()["notifications"]}
        except BaseException:
            print(stack.log_tail(), file=sys.stderr)
            raise
        finally:
            stack.stop()
        if restore:
            report["restore"] = restore_drill(
                database_url=database_url, workdir=workdir, seeded=seeded, fake=fake
            )
            check(
                report["restore"]["counts"] == report["counts"],
                f"restored {report['restore']['counts']} != {report['counts']}",
            )
    return report


def restore_drill(*, database_url, workdir: Path, seeded: Seeded, fake) -> dict:
    """pg_dump (custom format) → pg_restore into a fresh database → the web on it."""
    restored_url = _sibling_url(database_url, f"relais_restore_{os.getpid()}")
    dump = workdir / "relais.dump"
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - fixed arguments
        [_tool("pg_dump"), "--format=custom", f"--file={dump}", f"--dbname={database_url}"],
        check=True,
    )
    create_database(restored_url)
    try:
        subprocess.run(  # noqa: S603 - fixed arguments
            [
                _tool("pg_restore"),
                *("--no-owner", "--exit-on-error", f"--dbname={restored_url}", str(dump)),
            ],
            check=True,
        )
        stack = Stack(database_url=restored_url, workdir=workdir, fake=fake)
        try:
            stack.start(worker=False)
            seen = facilitator_references(
                stack.base_url, seeded.facilitator_email, FACILITATOR_PASSWORD
            )
            counts = {"referrals": len(seen), "outbox": stack.health()["notifications"]}
        finally:
            stack.stop()
    finally:
        drop_database(restored_url)
    return {"counts": counts, "seconds": round(time.monotonic() - started, 1)}


def outage_drill(*, database_url, workdir: Path, seeded: Seeded, max_submissions=40) -> dict:
    """Referrals under load; Redis stopped; the worker killed while Twilio holds a send's
    answer; both restarted. Every submission stored, every SMS accepted exactly once."""
    from tests.notifications.fake_twilio import FakeTwilio

    fake = FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, status_callbacks=True)
    report: dict = {}
    with fake:
        stack = Stack(database_url=database_url, workdir=workdir, fake=fake)
        try:
            stack.start()
            references: list[str] = []
            lock = threading.Lock()
            numbers = iter(range(10_000, 10_000 + max_submissions))
            stop_load = threading.Event()

            def load():
                """One client submitting referrals until the drill is over (or the cap)."""
                while not stop_load.is_set():
                    with lock:
                        n = next(numbers, None)
                    if n is None:
                        return
                    reference = submit_intake(stack.base_url, seeded.code_token, n=n)
                    with lock:
                        references.append(reference)
                    time.sleep(0.4)

            with ThreadPoolExecutor(max_workers=3) as pool:
                futures = [pool.submit(load) for _ in range(3)]
                while len(references) < 9:  # the load is on
                    check(not any(f.done() for f in futures), "a client gave up")
                    time.sleep(0.1)
                # Under load, Twilio holds its answers: both of the worker's processes are
                # mid-send, one message accepted (its sid not answered yet), one not yet...
                # (Every send is held from now on, so that both processes soon wait at once.)
                fake.hold_next(1, seconds=HOLD_SECONDS, accept_first=True)
                fake.hold_next(max_submissions * 2, seconds=HOLD_SECONDS, accept_first=False)
                check(fake.wait_for_held(2, timeout=30), "the worker was not mid-send")
                # ...when Redis stops (every queued task is lost with it)...
                stack.redis.stop()
                # ...and the worker dies, both answers still on the way.
                in_flight = fake.held
                killed_at = _now()
                stack.kill_worker()
                fake.stop_holding()
                report["sends_in_flight_at_kill"] = in_flight
                check(in_flight == 2, "the kill did not land mid-send")
                with lock:
                    report["submitted_before_outage"] = len(references)
                time.sleep(2)  # referrals keep coming while Redis and the worker are down
                # The dead worker's claims: the accepted message's row learnt its sid from
                # Twilio's status callback; the other is left `sending`, for the sweep.
                claims = _claims_left(since=killed_at)
                with lock:
                    report["submitted_during_outage"] = (
                        len(references) - report["submitted_before_outage"]
                    )
                check(report["submitted_during_outage"] > 0, "no referral during the outage")
                stack.redis.start()  # empty: nothing was saved
                stack.start_worker()
                time.sleep(1)
                stop_load.set()
                for future in futures:
                    future.result(timeout=60)
            submissions = len(references)
            check(len(set(references)) == submissions, "two submissions got one reference")
            stored = _stored(references)
            check(stored == submissions, f"{stored} of {submissions} submissions stored")
            report["submissions"] = submissions
            report["stored"] = stored
            report["sms"] = exactly_once_report(references, fake)
            check(not report["sms"]["problems"], f"SMS: {report['sms']['problems']}")
            report["status_callbacks"] = len(fake.callbacks)
            # The sweep settled the stale claim: sent again, once, on a second attempt.
            check(claims, "the killed worker left no claim in `sending` for the sweep")
            report["stale_claims"] = _settled_claims(claims)
            for claim in report["stale_claims"]:
                check(
                    claim["status"] == "sent" and claim["attempts"] == 2,
                    f"a stale claim was not sent again: {claim}",
                )
        except BaseException:
            print(stack.log_tail(), file=sys.stderr)
            raise
        finally:
            stack.stop()
    return report


def _now():
    from django.utils import timezone

    return timezone.now()


def _claims_left(*, since) -> list[int]:
    """Outbox rows still claimed (`sending`) without a provider id, claimed before `since`."""
    from django.db import close_old_connections

    from backend.notifications.enums import NotificationStatus
    from backend.notifications.models import Notification

    close_old_connections()
    return list(
        Notification.objects.filter(
            status=NotificationStatus.SENDING, provider_id="", updated_at__lte=since
        ).values_list("id", flat=True)
    )


def _settled_claims(pks) -> list[dict]:
    from django.db import close_old_connections

    from backend.notifications.models import Notification

    close_old_connections()
    return [
        {"outbox": pk, "status": status, "attempts": attempts}
        for pk, status, attempts in Notification.objects.filter(pk__in=pks).values_list(
            "id", "status", "attempts"
        )
    ]


def _stored(references) -> int:
    from django.db import close_old_connections

    from backend.referrals.models import Referral

    close_old_connections()
    return Referral.objects.filter(pk__in=[_pk(r) for r in references]).count()


def _tool(name) -> str:
    path = shutil.which(name)
    check(path is not None, f"{name} is not on PATH")
    return str(path)


# --- databases -------------------------------------------------------------------------------


def _sibling_url(database_url, name) -> str:
    parts = urlsplit(database_url)
    return parts._replace(path="/" + quote(name, safe="")).geturl()


def _admin_connect(database_url):
    import psycopg

    return psycopg.connect(_sibling_url(database_url, "postgres"), autocommit=True)


def create_database(database_url):
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    with _admin_connect(database_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(database_url):
    from psycopg import sql

    name = urlsplit(database_url).path.lstrip("/")
    with _admin_connect(database_url) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drill", choices=["stack", "outage"])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("DRILL_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"),
        help="the PostgreSQL server to create the drill's database on",
    )
    args = parser.parse_args(argv)
    database_url = f"{args.postgres.rstrip('/')}/relais_drill_{os.getpid()}"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="backend.config.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        DEBUG="0",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    create_database(database_url)
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        seeded = seed()
        with tempfile.TemporaryDirectory(prefix="relais-drill-") as tmp:
            drill = stack_drill if args.drill == "stack" else outage_drill
            report = drill(database_url=database_url, workdir=Path(tmp), seeded=seeded)
    except DrillFailed as exc:
        print(f"DRILL FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(database_url)
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
