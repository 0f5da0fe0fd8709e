"""Measures SPEC.md's budgets and prints one table (run by tests/bench/bench.sh, `make bench`).

Against the app served by gunicorn on 127.0.0.1 (bench.sh starts it on the bench database):
latencies and throughput, from tests.bench.load's client threads. Inside this process, on
the same database, with Django's test client: SQL queries per request
(CaptureQueriesContext; the gunicorn processes are not instrumented) and the QR code and
poster renderings (the first rendering of codes never rendered before: the QR matrix cache
is cold). Last, the PWA's production build with Lighthouse (tests/bench/frontend.py).

Budgets are checked as measured on this machine, and the submission also as a ratio of the
bench floor (a bare Django view doing one INSERT, tests/bench/floor) measured in the same
run: the ratio is what stays meaningful on a noisy or slower machine.

    python -m tests.bench.run --app http://127.0.0.1:PORT --floor http://127.0.0.1:PORT2 ...
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http.cookies import SimpleCookie

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")
# whitenoise serves STATIC_ROOT, which only exists after collectstatic (as in pyproject's
# pytest settings): the API under test serves no static file.
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken  # noqa: E402

from backend.accounts.enums import Role  # noqa: E402
from backend.accounts.models import User  # noqa: E402
from backend.capteurs.enums import Stage  # noqa: E402
from backend.capteurs.models import Capteur, ReferralCode  # noqa: E402
from backend.capteurs.printing.content import print_content  # noqa: E402
from backend.capteurs.printing.poster import poster_pdf  # noqa: E402
from backend.capteurs.printing.qr import qr_matrix, qr_svg  # noqa: E402
from backend.referrals.enums import Status  # noqa: E402
from backend.referrals.models import Referral  # noqa: E402
from tests.accounts.factories import log_in_verified  # noqa: E402
from tests.bench import frontend  # noqa: E402
from tests.bench.floor.urls import FLOOR_TABLE  # noqa: E402
from tests.bench.load import Request, Result, merged, run_load, send  # noqa: E402

INTAKE = "/api/v1/referrals/intake/"
# The facilitator's inbox as the PWA asks for it: (label, path).
INBOX = "/api/v1/referrals/"
INBOX_PAGES = (
    ("inbox: new (own)", f"{INBOX}?status=new"),
    ("inbox: all statuses (own)", INBOX),
    ("inbox: overdue (own)", f"{INBOX}?overdue=true"),
    ("inbox: new, whole territory", f"{INBOX}?status=new&assigned_to=all"),
)
CAPTEUR_PAGES = (("capteurs: dormant", "/api/v1/capteurs/?activity=dormant"),)
# The coordinator dashboard (backend/dashboard): one line per endpoint, with its default
# period (the last twelve weeks) over all the coordinator's territories. An endpoint that
# answers 404 is reported as not built yet.
DASHBOARD_PAGES = (
    ("dashboard: summary", "/api/v1/dashboard/summary/"),
    ("dashboard: referrals per week", "/api/v1/dashboard/referrals-per-week/"),
    ("dashboard: funnel", "/api/v1/dashboard/funnel/"),
    ("dashboard: by capteur kind", "/api/v1/dashboard/by-capteur-kind/"),
    ("dashboard: top capteurs", "/api/v1/dashboard/capteurs/top/"),
    ("dashboard: silent capteurs", "/api/v1/dashboard/capteurs/silent/"),
    ("dashboard: codes", "/api/v1/dashboard/codes/"),
    ("dashboard: capteurs map", "/api/v1/dashboard/map/"),
)
# The coordinator's exports (backend/dashboard/export_apis), default months (the last twelve):
# no budget of their own in SPEC.md; timed at the same size as the dashboard.
EXPORT_PAGES = (
    ("export: funder indicators, CSV", "/api/v1/exports/indicators.csv"),
    ("export: funder indicators, XLSX", "/api/v1/exports/indicators.xlsx"),
    ("export: referrals, pseudonymised CSV", "/api/v1/exports/referrals.csv"),
)
INBOX_P95_MS = 100
DASHBOARD_MS = 300
SUBMISSION_QUERIES = 8
SUBMISSION_P95_MS = 50
SUBMISSION_FLOOR_RATIO = 0.5
SUBMISSION_ROUNDS = 2  # floor, app, floor, app
QR_SVG_MS = 5
POSTER_MS = 500
PRINT_SAMPLES = 25
STEPS = ("submission", "inbox", "capteurs", "dashboard", "exports", "printing", "pwa")


@dataclass(frozen=True)
class Queries:
    """SQL statements of a request, apart from transaction control (BEGIN, COMMIT), which
    Django also logs: as in tests/conftest.py's django_assert_max_real_queries, those are no
    queries (a test's savepoints there, a transaction's BEGIN/COMMIT here)."""

    statements: int
    control: int

    CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")

    @classmethod
    def of(cls, context: CaptureQueriesContext) -> "Queries":
        sql = [query["sql"].lstrip().upper() for query in context.captured_queries]
        control = sum(1 for statement in sql if statement.startswith(cls.CONTROL))
        return cls(statements=len(sql) - control, control=control)

    def __str__(self) -> str:
        return f"{self.statements} (+{self.control} tx)" if self.control else str(self.statements)


@dataclass
class Row:
    measure: str
    budget: str
    p50: float | None = None
    p95: float | None = None
    throughput: float | None = None
    queries: str = ""
    floor: str = ""
    result: str = ""


def ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def print_table(rows: list[Row]) -> None:
    header = ("measure", "budget", "p50 ms", "p95 ms", "req/s", "queries", "vs floor", "result")
    cells = [header] + [
        (
            r.measure,
            r.budget,
            ms(r.p50),
            ms(r.p95),
            "" if r.throughput is None else f"{r.throughput:.0f}",
            r.queries,
            r.floor,
            r.result,
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for index, row in enumerate(cells):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def verdict(failures: list[str]) -> str:
    return "PASS" if not failures else "FAIL (" + ", ".join(failures) + ")"


# --- HTTP helpers ---------------------------------------------------------------------------


def login(base_url: str, email: str, password: str) -> str:
    """Logs in through the API like the PWA (CSRF cookie, then POST); returns a Cookie header."""
    cookies: SimpleCookie = SimpleCookie()
    status, _body, headers = send(base_url, Request("GET", "/api/v1/auth/csrf/"))
    for value in headers.get("set-cookie", []):
        cookies.load(value)
    token = cookies["csrftoken"].value
    status, body, headers = send(
        base_url,
        Request(
            "POST",
            "/api/v1/auth/login/",
            body=json.dumps({"email": email, "password": password}).encode(),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": token,
                "Cookie": f"csrftoken={token}",
            },
        ),
    )
    for value in headers.get("set-cookie", []):
        cookies.load(value)
    if status == 202:
        # A coordinator's second factor (their role requires one): a one-time recovery code
        # made for the bench, as `manage.py addstatictoken` would, typed at the code step.
        token = cookies["csrftoken"].value
        session = "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())
        status, body, headers = send(
            base_url,
            Request(
                "POST",
                "/api/v1/auth/otp/verify/",
                body=json.dumps({"code": bench_recovery_code(email)}).encode(),
                headers={
                    "Content-Type": "application/json",
                    "X-CSRFToken": token,
                    "Cookie": session,
                },
            ),
        )
        for value in headers.get("set-cookie", []):
            cookies.load(value)
    if status != 200:
        raise SystemExit(f"Login of {email} failed ({status}): {body[:200]!r}")
    return "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items())


def bench_recovery_code(email: str) -> str:
    """A fresh one-time code of `email`'s recovery codes device (made confirmed if missing)."""
    user = User.objects.get(email=email)
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    code = StaticToken.random_token()
    device.token_set.create(token=code)
    return code


def wait_until_up(base_url: str, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            send(base_url, Request("GET", path), timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{base_url} did not answer within {seconds:.0f} s.") from None
            time.sleep(0.2)


# --- what is measured -----------------------------------------------------------------------


@dataclass
class Bench:
    app: str
    floor: str
    password: str
    clients: int
    submit_requests: int
    submit_seconds: float
    read_requests: int
    read_seconds: float

    def __post_init__(self):
        self.facilitator = (
            User.objects.filter(memberships__role=Role.FACILITATOR)
            .annotate(new=Count("assigned_referrals", filter=Q(assigned_referrals__status="new")))
            .order_by("-new", "id")
            .first()
        )
        self.coordinator = (
            User.objects.filter(memberships__role=Role.COORDINATOR)
            .annotate(territories=Count("memberships"))
            .order_by("-territories", "id")
            .first()
        )
        if self.facilitator is None or self.coordinator is None:
            raise SystemExit("No generated staff in this database: run generate_dataset first.")
        active = ReferralCode.objects.filter(
            revoked_at__isnull=True, capteur__stage=Stage.PARTNER
        ).order_by("id")
        self.tokens = list(active.values_list("token", flat=True)[:500])
        # Codes never rendered in this process, a set for each printing measure.
        mine = active.filter(capteur__territory__memberships__user=self.facilitator)
        code_ids = list(mine.order_by("-id").values_list("id", flat=True)[: 4 * PRINT_SAMPLES + 1])
        if len(code_ids) < 5:
            raise SystemExit("Too few active codes in the facilitator's territories to print.")
        self.warm_code_id, code_ids = code_ids[0], code_ids[1:]
        n = min(PRINT_SAMPLES, len(code_ids) // 4)
        self.fresh_codes = [code_ids[k * n : (k + 1) * n] for k in range(4)]
        self.run_id = uuid.uuid4().hex[:8]
        # As generated: the measures add referrals (and access log rows) as they go.
        self.sizes = (Referral.objects.count(), Capteur.objects.count())
        self.inbox_new = Referral.objects.filter(
            assigned_to=self.facilitator, status=Status.NEW
        ).count()

    # In-process: queries per request, with the test client on the bench database.

    def queries(self, method: str, path: str, *, user=None, **kwargs) -> tuple[int, Queries]:
        """(status, queries) of one request, the second of two identical ones (the first
        warms caches: content types, translations)."""
        client = Client()
        if user is not None and (
            user.is_staff or user.memberships.filter(role=Role.COORDINATOR).exists()
        ):
            log_in_verified(client, user)  # their role requires the second factor
        elif user is not None:
            client.force_login(user)
        call = getattr(client, method)
        call(path, **kwargs)
        with CaptureQueriesContext(connection) as context:
            response = call(path, **kwargs)
        return response.status_code, Queries.of(context)

    def intake_queries(self) -> tuple[int, Queries]:
        """(status, queries) of a submission, after a first one (another person, another
        key: a replay of the same key would answer from the first referral)."""
        client = Client()
        for index in (10**6, 10**6 + 1):
            with CaptureQueriesContext(connection) as context:
                response = client.post(
                    INTAKE, data=self.intake_request(index).body, content_type="application/json"
                )
        return response.status_code, Queries.of(context)

    # Over HTTP.

    def intake_request(self, index: int) -> Request:
        body = {
            "code": self.tokens[index % len(self.tokens)],
            "first_name": "Banc",
            "phone": f"+33600{900_000 + index % 100_000:06d}",
            "call_moments": ["morning"],
            "needs": ["emploi"],
            "consent": True,
            "channel": "qr",
            "idempotency_key": f"bench-{self.run_id}-{index}",
        }
        return Request(
            "POST",
            INTAKE,
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )

    def load(self, base_url, make_request, *, concurrent: bool, first: int = 0) -> Result:
        """Concurrent: the submission's clients, its share of requests and time for one
        round. Else one client, for the pages."""
        if concurrent:
            return run_load(
                base_url,
                make_request,
                clients=self.clients,
                requests=self.submit_requests // SUBMISSION_ROUNDS,
                seconds=self.submit_seconds / SUBMISSION_ROUNDS,
                warmup=2 * self.clients,
                first=first,
            )
        return run_load(
            base_url,
            make_request,
            clients=1,
            requests=self.read_requests,
            seconds=self.read_seconds,
            warmup=5,
        )

    def submission(self) -> list[Row]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (id bigserial PRIMARY KEY, "
                "created_at timestamptz NOT NULL, payload jsonb NOT NULL)"
            )

        def floor_request(index: int) -> Request:
            request = self.intake_request(index)
            return Request("POST", "/insert/", body=request.body, headers=request.headers)

        # Floor and app take turns, so that a change of load on the machine (other work)
        # weighs on both alike.
        floors, apps = [], []
        for round_ in range(SUBMISSION_ROUNDS):
            first = round_ * 10 * (self.submit_requests + 1000)
            floors.append(self.load(self.floor, floor_request, concurrent=True, first=first))
            apps.append(self.load(self.app, self.intake_request, concurrent=True, first=first))
        floor, app = merged(floors), merged(apps)
        status, queries = self.intake_queries()
        ratio = (app.throughput or 0) / floor.throughput if floor.throughput else None
        failures = []
        if status != 201 or queries.statements > SUBMISSION_QUERIES:
            failures.append("queries")
        if app.p95 is None or app.p95 > SUBMISSION_P95_MS:
            failures.append("p95")
        if ratio is None or ratio < SUBMISSION_FLOOR_RATIO:
            failures.append("floor")
        if app.errors:
            failures.append(f"errors {dict(app.errors)}")
        clients = f"{self.clients} clients"
        return [
            Row(
                f"floor: bare Django view, one INSERT ({clients})",
                "—",
                floor.p50,
                floor.p95,
                floor.throughput,
                "1",
                "100%",
                f"errors {dict(floor.errors)}" if floor.errors else "baseline",
            ),
            Row(
                f"referral submission, POST intake ({clients})",
                f"≤ {SUBMISSION_QUERIES} q; p95 ≤ {SUBMISSION_P95_MS}; "
                f"≥ {SUBMISSION_FLOOR_RATIO:.0%} of floor",
                app.p50,
                app.p95,
                app.throughput,
                str(queries) if status == 201 else f"{queries} ({status})",
                f"{ratio:.0%}" if ratio is not None else "",
                verdict(failures),
            ),
        ]

    def list_pages(
        self, pages, *, user, cookie, budget_ms: int | None, few: str = "page_size=2"
    ) -> list[Row]:
        """Pages of a list, one client after the other, each with its query count, which must
        not grow with the number of rows: the page as is against the page with `few` (2 rows;
        a parameter an endpoint does not know changes nothing)."""
        budget = "; ".join(["constant q", *([f"p95 ≤ {budget_ms}"] if budget_ms else [])])
        rows = []
        for label, path in pages:
            # As a browser asks: compressed (GZipMiddleware's time is part of the answer's).
            request = Request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
            status, _, _ = send(self.app, request)
            if status == 404:
                rows.append(Row(label, budget, result="n/a (not built yet)"))
                continue
            result = self.load(self.app, lambda _index, request=request: request, concurrent=False)
            _, queries = self.queries("get", path, user=user)
            separator = "&" if "?" in path else "?"
            _, few_queries = self.queries("get", f"{path}{separator}{few}", user=user)
            failures = []
            if result.errors or status != 200:
                failures.append(f"status {status} {dict(result.errors)}")
            if budget_ms and (result.p95 is None or result.p95 > budget_ms):
                failures.append("p95")
            if queries.statements != few_queries.statements:
                failures.append("queries grow with rows")
            rows.append(
                Row(
                    label,
                    budget,
                    result.p50,
                    result.p95,
                    result.throughput,
                    f"{queries}; {few_queries.statements} at 2 rows",
                    "",
                    verdict(failures),
                )
            )
        return rows

    def printing(self) -> list[Row]:
        """QR SVG and poster PDF of codes never rendered before, in-process: through the
        view (what a user waits for, server side) and the rendering alone."""
        client = Client()
        client.force_login(self.facilitator)
        # Load fonts, templates and code once, on another code: the first render of the
        # process is not what a user waits for.
        client.get(f"/api/v1/codes/{self.warm_code_id}/qr.svg")
        client.get(f"/api/v1/codes/{self.warm_code_id}/poster.pdf")
        svg_codes, pdf_codes, svg_render_codes, pdf_render_codes = self.fresh_codes

        def timed_view(code_ids, suffix):
            times, queries = [], 0
            for code_id in code_ids:
                with CaptureQueriesContext(connection) as context:
                    started = time.perf_counter()
                    response = client.get(f"/api/v1/codes/{code_id}/{suffix}")
                    times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
                queries = Queries.of(context)
            return times, queries

        def timed_render(code_ids, render: Callable):
            times = []
            codes = ReferralCode.objects.select_related("capteur__territory").in_bulk(code_ids)
            for code_id in code_ids:
                content = print_content(codes[code_id])
                started = time.perf_counter()
                render(content)
                times.append((time.perf_counter() - started) * 1000)
            return times

        def row(label, budget, times, queries=""):
            p50, p95 = statistics.median(times), percentile(times, 95)
            return Row(
                label,
                f"≤ {budget} ms",
                p50,
                p95,
                None,
                str(queries),
                "",
                verdict([] if p95 <= budget else ["p95"]),
            )

        svg, svg_queries = timed_view(svg_codes, "qr.svg")
        pdf, pdf_queries = timed_view(pdf_codes, "poster.pdf")
        svg_render = timed_render(svg_render_codes, lambda c: qr_svg(qr_matrix(c.qr_url)))
        pdf_render = timed_render(pdf_render_codes, lambda c: poster_pdf(c, qr_matrix(c.qr_url)))
        n = len(svg)
        return [
            row(f"QR SVG, request, fresh code (in-process, {n})", QR_SVG_MS, svg, svg_queries),
            row(f"QR SVG, rendering alone, fresh code ({n})", QR_SVG_MS, svg_render),
            row(f"poster PDF, request, fresh code (in-process, {n})", POSTER_MS, pdf, pdf_queries),
            row(f"poster PDF, rendering alone, fresh code ({n})", POSTER_MS, pdf_render),
        ]


def pwa(bench: Bench, cookie: str, runs: int) -> list[Row]:
    """The PWA's budgets (tests/bench/frontend.py): its initial JavaScript, then Lighthouse
    on the inbox and the detail of one of the facilitator's referrals."""
    kb, budget_kb = frontend.initial_js_kb()
    rows = [
        Row(
            "PWA: initial JS of the first screen, gzipped",
            f"≤ {budget_kb} KB",
            result=f"{kb:.1f} KB: " + verdict([] if kb <= budget_kb else ["size"]),
        )
    ]
    referral = (
        Referral.objects.filter(assigned_to=bench.facilitator)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    if referral is None:
        raise SystemExit("The facilitator has no referral to open.")
    budget = f"perf ≥ {frontend.PERFORMANCE}; a11y ≥ {frontend.ACCESSIBILITY}"
    for name, path in (("inbox", "/app/"), ("referral", f"/app/orientations/{referral}")):
        scores = frontend.lighthouse(f"{bench.app}{path}", cookie, name=name, runs=runs)
        failures = []
        if scores.performance < frontend.PERFORMANCE:
            failures.append("performance")
        if scores.accessibility < frontend.ACCESSIBILITY:
            failures.append("accessibility")
        each = ", ".join(f"{p}/{a}" for p, a in scores.runs)
        rows.append(
            Row(
                f"PWA: Lighthouse mobile, {name} (median of {runs}: {each}; "
                f"host benchmarkIndex {scores.benchmark_index})",
                budget,
                result=f"perf {scores.performance}, a11y {scores.accessibility}: "
                + verdict(failures),
            )
        )
    return rows


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def describe(bench: Bench, workers: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg_version,) = cursor.fetchone()
    return [
        f"Dataset: {bench.sizes[0]:,} referrals, {bench.sizes[1]:,} capteurs "
        f"(bench database `{connection.settings_dict['NAME']}`).",
        f"Machine: {os.cpu_count()} CPUs (nproc), {platform.python_implementation()} "
        f"{platform.python_version()}, PostgreSQL {pg_version}; gunicorn {workers} sync "
        f"workers; load: {bench.clients} client threads for the submission "
        f"(≤ {bench.submit_requests} requests or {bench.submit_seconds:.0f} s), 1 for the "
        f"pages (≤ {bench.read_requests} or {bench.read_seconds:.0f} s), on the same machine.",
        f"Inbox as {bench.facilitator.email} ({bench.inbox_new} new referrals); "
        f"dashboard as {bench.coordinator.email}.",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", required=True, help="base URL of the app (gunicorn)")
    parser.add_argument("--floor", required=True, help="base URL of the bench floor")
    parser.add_argument("--password", required=True, help="the generated staff's password")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--submit-requests", type=int, default=3000)
    parser.add_argument("--submit-seconds", type=float, default=20)
    parser.add_argument("--read-requests", type=int, default=200)
    parser.add_argument("--read-seconds", type=float, default=20)
    parser.add_argument("--workers", default="?", help="gunicorn workers (for the report)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a budget fails")
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help=f"comma-separated, among {', '.join(STEPS)} (default: all)",
    )
    parser.add_argument("--lighthouse-runs", type=int, default=5, help="runs per page (median)")
    args = parser.parse_args()

    wait_until_up(args.app, "/api/v1/auth/csrf/")
    wait_until_up(args.floor, "/insert/")
    bench = Bench(
        app=args.app,
        floor=args.floor,
        password=args.password,
        clients=args.clients,
        submit_requests=args.submit_requests,
        submit_seconds=args.submit_seconds,
        read_requests=args.read_requests,
        read_seconds=args.read_seconds,
    )
    facilitator = login(args.app, bench.facilitator.email, args.password)
    coordinator = login(args.app, bench.coordinator.email, args.password)

    pages = bench.list_pages
    as_facilitator = {"user": bench.facilitator, "cookie": facilitator}
    as_coordinator = {"user": bench.coordinator, "cookie": coordinator}
    steps = (
        ("submission", bench.submission),
        ("inbox", partial(pages, INBOX_PAGES, budget_ms=INBOX_P95_MS, **as_facilitator)),
        ("capteurs", partial(pages, CAPTEUR_PAGES, budget_ms=None, **as_facilitator)),
        (
            "dashboard",
            partial(
                pages, DASHBOARD_PAGES, budget_ms=DASHBOARD_MS, few="limit=2", **as_coordinator
            ),
        ),
        ("exports", partial(pages, EXPORT_PAGES, budget_ms=None, **as_coordinator)),
        ("printing", bench.printing),
        ("pwa", partial(pwa, bench, facilitator, args.lighthouse_runs)),
    )
    wanted = set(args.steps.split(","))
    if unknown := wanted - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    rows = []
    for name, step in steps:
        if name not in wanted:
            continue
        started = time.monotonic()
        rows.extend(step())
        print(f"  measured {name} in {time.monotonic() - started:.0f} s", file=sys.stderr)

    print()
    for line in describe(bench, args.workers):
        print(line)
    print()
    print_table(rows)
    failed = [row for row in rows if row.result.startswith("FAIL")]
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
