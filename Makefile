# Relais: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON_BOOT ?= python3.11
PORT ?= 8000
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# With DEBUG off, the settings refuse to start without SECRET_KEY: lint, the schema and the
# tests run on this one, which signs nothing real (production sets its own, .env.example).
export SECRET_KEY ?= make-tooling-only-not-a-secret-0123456789abcdefghijklmnop
# PostgreSQL used by `make test` when it answers (CI and this machine have one).
TEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/relais
# The facilitator PWA (Vite, Node 20 and npm from the machine), served by Django under /app/.
FRONTEND := frontend
FRONTEND_DEPS := $(FRONTEND)/node_modules/.relais-installed
# Django's OpenAPI schema and the TypeScript types generated from it: remade when the API's
# Python changes, never committed (the client can never lag behind the API).
API_SOURCES := $(shell find backend -name '*.py' -not -path '*/migrations/*' 2>/dev/null)
CHROMIUM := /usr/bin/chromium

.PHONY: install run test lint format bench bench-frontend clean frontend frontend-schema \
  frontend-test browser drill

$(UV):
	@command -v $(PYTHON_BOOT) >/dev/null || { echo "Python 3.11 is required ($(PYTHON_BOOT))"; exit 1; }
	$(PYTHON_BOOT) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==0.13.9

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	@mkdir -p var
	@touch $@

install: $(VENV)/.synced

# npm ci from the lock file when node_modules is missing or older than the lock.
$(FRONTEND_DEPS): $(FRONTEND)/package-lock.json $(FRONTEND)/package.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(FRONTEND)/openapi.yaml: $(VENV)/.synced $(API_SOURCES)
	$(PY) manage.py spectacular --file $@

$(FRONTEND)/src/lib/api/schema.d.ts: $(FRONTEND)/openapi.yaml $(FRONTEND_DEPS)
	cd $(FRONTEND) && npm run --silent schema

frontend-schema: $(FRONTEND)/src/lib/api/schema.d.ts

# Builds the PWA into frontend/dist (and prints its initial JavaScript against the budget).
frontend: frontend-schema
	cd $(FRONTEND) && npm run --silent build

# The front end's lint (prettier, eslint, tsc --noEmit), its unit tests, then its build.
frontend-test: frontend-schema
	cd $(FRONTEND) && npm run --silent lint
	cd $(FRONTEND) && npm run --silent test
	$(MAKE) --no-print-directory frontend

# The browser tests (tests/pwa, marker `browser`) drive Debian's Chromium; they skip without it.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "==> Installing Debian's Chromium for the browser tests"; \
	  { apt-get update -qq && apt-get install -y -qq chromium fonts-liberation >/dev/null; } \
	    || echo "==> Could not install chromium: the browser tests will be skipped"; \
	fi

run: export DEBUG := 1
run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install frontend
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

test: install lint frontend-test browser
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "==> Test suite on DATABASE_URL ($${DATABASE_URL%%://*})"; \
	  $(VENV)/bin/pytest; \
	elif $(PY) -c "import psycopg; psycopg.connect('$(TEST_PG_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=2).close()" 2>/dev/null; then \
	  echo "==> Test suite on PostgreSQL ($(TEST_PG_URL))"; \
	  DATABASE_URL=$(TEST_PG_URL) $(VENV)/bin/pytest; \
	else \
	  echo "==> PostgreSQL not reachable: test suite on SQLite (server-only tests are skipped)"; \
	  $(VENV)/bin/pytest; \
	fi

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# SPEC.md's budgets on a generated dataset in a dedicated PostgreSQL database (README,
# "Benchmarks"), the backend's then the PWA's (its production build, Lighthouse on Debian's
# Chromium). Sizes: make bench BENCH_REFERRALS=1000000 BENCH_CAPTEURS=10000
BENCH_REFERRALS ?= 100000
BENCH_CAPTEURS ?= 2000
BENCH_TERRITORIES ?= 4
bench: install frontend browser
	BENCH_REFERRALS=$(BENCH_REFERRALS) BENCH_CAPTEURS=$(BENCH_CAPTEURS) \
	  BENCH_TERRITORIES=$(BENCH_TERRITORIES) tests/bench/bench.sh

# The stack drills (deploy/README.md, "Drills"): each in a database of its own on the local
# PostgreSQL and its own redis-server. `make test` runs them too (tests/deploy, PostgreSQL).
drill: install
	$(PY) deploy/drill.py stack
	$(PY) deploy/drill.py outage

# The PWA's budgets alone (initial JS, Lighthouse on the inbox and a referral): same database
# and servers as `make bench` (BENCH_REUSE_DB=1 keeps the last run's database).
bench-frontend: install frontend browser
	BENCH_REFERRALS=$(BENCH_REFERRALS) BENCH_CAPTEURS=$(BENCH_CAPTEURS) \
	  BENCH_TERRITORIES=$(BENCH_TERRITORIES) BENCH_STEPS=pwa tests/bench/bench.sh

clean:
	rm -rf $(VENV) $(TOOLS) var $(FRONTEND)/node_modules $(FRONTEND)/dist
