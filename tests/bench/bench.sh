#!/usr/bin/env bash
# `make bench`: SPEC.md's budgets, measured on a generated dataset, printed as one table.
#
#  1. (re)creates the bench database (BENCH_DB, default relais_bench) on the local PostgreSQL,
#     migrates it and fills it with `manage.py generate_dataset`;
#  2. serves the app with gunicorn (deploy/gunicorn.conf.py, BENCH_WORKERS sync workers) and,
#     beside it, the bench floor (tests/bench/floor: a bare Django view doing one INSERT),
#     each on a free port of 127.0.0.1;
#  3. runs tests/bench/run.py, which loads both with a bounded client, then measures the PWA
#     (its production build in frontend/dist, served by the same gunicorn) with Lighthouse on
#     Debian's Chromium (tests/bench/frontend.py), and prints the table.
#
# Both servers are stopped on exit, whatever happens (trap). Nothing leaves 127.0.0.1.
# Sizes: BENCH_REFERRALS (100000), BENCH_CAPTEURS (2000), BENCH_TERRITORIES (4), BENCH_SEED (1).
# BENCH_REUSE_DB=1 measures again on the database of the last run (what earlier runs added
# to it stays: their submissions, the inbox's access log). BENCH_RUN_ARGS: more options for
# run.py (e.g. "--submit-seconds 5" for a quick look); BENCH_STRICT=1: exit 1 on a failed budget.
# BENCH_STEPS: some of run.py's steps only (`make bench-frontend`: BENCH_STEPS=pwa);
# BENCH_LIGHTHOUSE_RUNS (5): Lighthouse runs per page, the median is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=.venv/bin/python
BENCH_PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
BENCH_DB=${BENCH_DB:-relais_bench}
BENCH_REFERRALS=${BENCH_REFERRALS:-100000}
BENCH_CAPTEURS=${BENCH_CAPTEURS:-2000}
BENCH_TERRITORIES=${BENCH_TERRITORIES:-4}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_WORKERS=${BENCH_WORKERS:-3}
BENCH_CLIENTS=${BENCH_CLIENTS:-20}
# The generated staff's password: local, and thrown away with the database.
BENCH_PASSWORD=bench-password-not-secret
LOGS=var/bench
mkdir -p "$LOGS"

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
APP_PORT=$(free_port)
FLOOR_PORT=$(free_port)

# The app's configuration, as in production except: plain HTTP on 127.0.0.1, throttles out of
# the way (the load comes from one address), and Celery publishing to kombu's in-memory
# transport (the outbox rows are written and their delivery enqueued, nothing is sent).
export DJANGO_SETTINGS_MODULE=backend.config.settings
export DATABASE_URL="$BENCH_PG/$BENCH_DB"
export DEBUG=0
export SECURE_COOKIES=0
export ALLOWED_HOSTS=127.0.0.1,localhost,testserver
export PUBLIC_BASE_URL="http://127.0.0.1:$APP_PORT"
export CSRF_TRUSTED_ORIGINS="$PUBLIC_BASE_URL"
export CONN_MAX_AGE=60
# generate_dataset's COPY of a million rows is one long statement.
export DATABASE_STATEMENT_TIMEOUT=0
export CELERY_BROKER_URL=memory://localhost/
export CACHE_URL=locmemcache://relais-bench
export SMS_BACKEND=console
export EMAIL_URL=consolemail://
export REFERRAL_THROTTLE_RATE_IP=1000000/hour
export REFERRAL_THROTTLE_RATE_CODE=1000000/hour
export LOGIN_THROTTLE_RATE=100/min
export LOG_LEVEL=WARNING

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

create_database() {
  "$PY" - "$BENCH_PG" "$BENCH_DB" <<'PYTHON'
import sys

import psycopg

server, name = sys.argv[1], sys.argv[2]
if not name.replace("_", "").isalnum():
    sys.exit(f"Unexpected database name: {name}")
with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{name}"')
PYTHON
  "$PY" manage.py migrate --noinput -v0
}

if [ -n "${BENCH_REUSE_DB:-}" ]; then
  echo "==> Bench database $BENCH_DB kept from the last run (BENCH_REUSE_DB)"
else
  echo "==> Bench database $BENCH_DB (dropped and created again)"
  create_database
  echo "==> Dataset"
  "$PY" manage.py generate_dataset \
    --referrals "$BENCH_REFERRALS" --capteurs "$BENCH_CAPTEURS" \
    --territories "$BENCH_TERRITORIES" --seed "$BENCH_SEED" --password "$BENCH_PASSWORD"
fi

echo "==> Servers: app on 127.0.0.1:$APP_PORT, floor on 127.0.0.1:$FLOOR_PORT" \
  "($BENCH_WORKERS workers each; logs in $LOGS/)"
BIND="127.0.0.1:$APP_PORT" WEB_CONCURRENCY="$BENCH_WORKERS" \
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py >"$LOGS/app.log" 2>&1 &
PIDS+=($!)
BIND="127.0.0.1:$FLOOR_PORT" WEB_CONCURRENCY="$BENCH_WORKERS" \
  .venv/bin/gunicorn -c deploy/gunicorn.conf.py tests.bench.floor.wsgi:application \
  >"$LOGS/floor.log" 2>&1 &
PIDS+=($!)

echo "==> Measuring (a few minutes)"
# In the background and waited for: a signal to this script interrupts `wait` at once, and
# the trap stops the measures too (a foreground child would delay the trap until it ends).
# shellcheck disable=SC2086 # BENCH_RUN_ARGS is a list of options
"$PY" -m tests.bench.run \
  --app "http://127.0.0.1:$APP_PORT" --floor "http://127.0.0.1:$FLOOR_PORT" \
  --password "$BENCH_PASSWORD" --clients "$BENCH_CLIENTS" --workers "$BENCH_WORKERS" \
  --lighthouse-runs "${BENCH_LIGHTHOUSE_RUNS:-5}" ${BENCH_STEPS:+--steps "$BENCH_STEPS"} \
  ${BENCH_STRICT:+--strict} ${BENCH_RUN_ARGS:-} &
RUN=$!
PIDS=("$RUN" "${PIDS[@]}")
wait "$RUN"
