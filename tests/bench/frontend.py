"""The PWA's budgets (SPEC.md, issue 9): measured on the production build (frontend/dist)
served by the bench's gunicorn, printed as rows of tests/bench/run.py's table.

- initial JavaScript of the facilitator's first screen, gzipped: frontend/scripts/
  bundle-size.mjs (the same count as `npm run build`), ≤ 60 KB;
- Lighthouse (npm `lighthouse`, a devDependency of frontend/; Debian's Chromium at
  CHROME_PATH), its default mobile emulation and throttling, on the inbox and a referral's
  detail: performance ≥ 90, accessibility ≥ 95. The facilitator is logged in through the API
  (run.py's login) and Lighthouse sends the session cookie with every request
  (`--extra-headers`): its cold load (storage reset, no service worker yet) is a phone
  opening the app for the first time of the day. Each page is measured `runs` times and the
  median kept (Lighthouse's own advice: performance varies from run to run). The reports:
  var/bench/lighthouse-<page>-<n>.json.
"""

import json
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
DIST = FRONTEND / "dist"
LIGHTHOUSE = FRONTEND / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
REPORTS = ROOT / "var" / "bench"

INITIAL_JS_KB = 60
PERFORMANCE = 90
ACCESSIBILITY = 95


@dataclass(frozen=True)
class Scores:
    performance: int
    accessibility: int
    runs: list[tuple[int, int]]
    # Lighthouse's own measure of the host's CPU speed at each run (higher is faster): its
    # simulated phone multiplies the CPU time observed here, so a busy machine scores lower.
    benchmark_index: int


def initial_js_kb() -> tuple[float, float]:
    """(initial JavaScript of the first screen in KB gzipped, its budget), as the build counts."""
    if not (DIST / ".vite" / "manifest.json").exists():
        raise SystemExit("The PWA is not built (make frontend).")
    out = subprocess.run(  # noqa: S603 (fixed arguments)
        [
            shutil.which("node") or "/usr/bin/node",
            str(FRONTEND / "scripts" / "bundle-size.mjs"),
            str(DIST),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    return report["initial_kb"], report["budget_kb"]


def lighthouse(url: str, cookie: str, *, name: str, runs: int) -> Scores:
    """Lighthouse's performance and accessibility scores (0-100, medians of `runs`) of `url`
    as the logged-in user whose Cookie header is `cookie`."""
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed (make frontend: npm ci in frontend/).")
    REPORTS.mkdir(parents=True, exist_ok=True)
    measured, indexes = [], []
    for index in range(1, runs + 1):
        report = REPORTS / f"lighthouse-{name}-{index}.json"
        command = [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={report}",
            "--chrome-flags=--headless=new --no-sandbox",
            f"--extra-headers={json.dumps({'Cookie': cookie})}",
        ]
        environment = {**os.environ, "CHROME_PATH": CHROME_PATH}
        # Once more if Chromium did not start in time (a busy machine): then it fails.
        for attempt in (1, 2):
            done = subprocess.run(command, env=environment, check=attempt == 2)  # noqa: S603
            if done.returncode == 0:
                break
        result = json.loads(report.read_text())
        if result.get("runtimeError"):
            raise SystemExit(f"Lighthouse failed on {url}: {result['runtimeError']}")
        final_url = result.get("finalDisplayedUrl") or result.get("finalUrl", "")
        if final_url.rstrip("/") != url.rstrip("/"):
            raise SystemExit(f"Lighthouse measured {final_url}, not {url} (not logged in?)")
        indexes.append(result["environment"]["benchmarkIndex"])
        categories = result["categories"]
        measured.append(
            (
                round(100 * (categories["performance"]["score"] or 0)),
                round(100 * (categories["accessibility"]["score"] or 0)),
            )
        )
    return Scores(
        performance=round(statistics.median(p for p, _ in measured)),
        accessibility=round(statistics.median(a for _, a in measured)),
        runs=measured,
        benchmark_index=round(statistics.median(indexes)),
    )
