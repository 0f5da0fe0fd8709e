"""Relais settings: one module, every difference between environments comes from env vars.

With no environment at all, Relais runs on SQLite with Celery tasks executed in-process
(the embedded default of `make run`). `.env.example` documents every variable.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
# The public origin the outside world uses (QR codes, SMS links, Twilio signatures).
PUBLIC_BASE_URL: str = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
_INSECURE_KEY = "django-insecure-relais-local-only"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_KEY)
if SECRET_KEY == _INSECURE_KEY and not DEBUG:
    # The local key is public (it is in this file): sessions and tokens signed with it can be
    # forged. Only a DEBUG (local) run may use it; tests and `make` set a key of their own.
    raise ImproperlyConfigured(
        "Set SECRET_KEY: with DEBUG off, Relais refuses the local key "
        "(DEBUG=1 for local work; `make` and the tests set a throwaway key)."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PUBLIC_BASE_URL])
# A monitor sending "Authorization: Bearer <HEALTHZ_TOKEN>" gets /healthz's details.
HEALTHZ_TOKEN: str = env.str("HEALTHZ_TOKEN", default="")
# Number of reverse proxies in front of the app whose X-Forwarded-For we trust.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

INSTALLED_APPS = [
    # Django's admin, on an admin site that asks for a second factor (django-otp).
    "backend.accounts.apps.RelaisAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    # Two-factor: TOTP devices (an authenticator app) and static devices (recovery codes).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "backend.core",
    "backend.accounts",
    "backend.capteurs",
    "backend.public",
    "backend.referrals",
    "backend.structures",
    "backend.notifications",
    "backend.privacy",
    "backend.visits",
    "backend.dashboard",
    "backend.demo",
    "backend.pwa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Whitenoise for /static/, and the PWA's built files under /app/ (backend.pwa).
    "backend.pwa.static_files.PwaWhiteNoiseMiddleware",
    # Every page's CSP, unless it sets its own (public pages, the PWA's shell).
    "backend.core.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Ends a staff session idle too long or older than its absolute lifetime.
    "backend.accounts.middleware.SessionLifetimeMiddleware",
    # request.user.is_verified(): the session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.config.urls"
WSGI_APPLICATION = "backend.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite by default; DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'relais.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a request does not pay a new PostgreSQL connection (a few ms, the
# submission's budget is 50 ms); the health check drops a connection the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A PostgreSQL that hangs fails a request (and /healthz) in seconds instead of holding the
    # worker until its own timeout. 0 disables the statement timeout (long migrations).
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["connect_timeout"] = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    _statement_ms = round(env.float("DATABASE_STATEMENT_TIMEOUT", default=30) * 1000)
    _server_options = [_db_options.get("options", "")]
    if _statement_ms > 0:
        _server_options.append(f"-c statement_timeout={_statement_ms}")
    # PostgreSQL's JIT compiles a query the planner finds costly: EXPLAIN ANALYZE of the
    # dashboard's aggregates at a million referrals showed 0.35-0.6 s of compiling each (make
    # bench, README). Nothing here runs long enough to repay it; DATABASE_JIT=1 turns it on.
    if not env.bool("DATABASE_JIT", default=False):
        _server_options.append("-c jit=off")
    # The planner's price of a random page read against a sequential one. PostgreSQL's 4
    # assumes spinning disks: with it the planner read the whole referral table for the
    # dashboard's last twelve weeks; 1.1, the usual figure for SSDs, has it read the period's
    # rows from the date indexes, 2-3.5 times faster at a million referrals (README, Benchmarks).
    _server_options.append(f"-c random_page_cost={env.float('DATABASE_RANDOM_PAGE_COST', 1.1)}")
    _db_options["options"] = " ".join(filter(None, _server_options))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions suit shared devices (an office PC, a colleague's phone): a session ends after
# SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS after the login whatever
# the activity (backend.accounts.middleware). The cookie itself lives as long.
SESSION_IDLE_TIMEOUT: int = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_COOKIE_AGE: int = env.int("SESSION_ABSOLUTE_HOURS", default=12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT > 0 else None
SECURE_CONTENT_TYPE_NOSNIFF = True
# Browsers remember to use HTTPS only (set HSTS_SECONDS=0 while first trying HTTPS out).
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31536000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
# Allows submitting the domain to browsers' preload list (hstspreload.org); no effect otherwise.
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=False)
# Plain HTTP is redirected to HTTPS (behind nginx: with TRUSTED_PROXY_COUNT, which reads
# X-Forwarded-Proto); /healthz stays reachable over HTTP for a local probe.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# The policy of every page that sets none of its own (backend.core.security): the admin and
# the API docs (Swagger UI from drf-spectacular-sidecar, its script served by the view) load
# everything from 'self'; inline styles are allowed (Swagger UI's page has a <style>).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# Two-factor (django-otp): the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Relais")
# The coordinator's map: a tile server's URL template (`https://tiles.example.org/{z}/{x}/{y}.png`,
# `{s}` for subdomains), off by default: without it the map draws the capteurs on a blank
# background and no third party is ever contacted. When set, the PWA's CSP allows that host's
# images (backend.pwa.views); the attribution is shown in the map's corner (the tiles' licence).
MAP_TILES_URL: str = env.str("MAP_TILES_URL", default="")
MAP_TILES_ATTRIBUTION: str = env.str("MAP_TILES_ATTRIBUTION", default="")
CSRF_FAILURE_VIEW = "backend.public.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "backend" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# The facilitator PWA, built by Vite (`make run`, `make test`), served under /app/.
PWA_DIST_DIR = BASE_DIR / "frontend" / "dist"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Sessions, plus the second factor coordinators and admins must have passed.
    "DEFAULT_AUTHENTICATION_CLASSES": ["backend.accounts.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["backend.accounts.perms.IsStaffMember"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "backend.core.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "backend.core.schema.RelaisAutoSchema",
    "EXCEPTION_HANDLER": "backend.core.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),
        # Second-factor codes (login step, enrolment, disabling), per address and per account.
        "otp": env.str("OTP_THROTTLE_RATE", default="10/min"),
        # Public referral form and intake API, per client address and per referral code.
        "referral_ip": env.str("REFERRAL_THROTTLE_RATE_IP", default="20/hour"),
        "referral_code": env.str("REFERRAL_THROTTLE_RATE_CODE", default="30/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles read the client address through exactly this many proxies: a forged
    # X-Forwarded-For from the client itself is ignored (DRF trusts all of it when None).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# /api/schema/ and /api/docs/ for anyone (DEBUG, local) or for logged-in staff only
# (production: the API's map is no public reading). backend.config.api_docs.
API_DOCS_PUBLIC: bool = env.bool("API_DOCS_PUBLIC", default=DEBUG)
SPECTACULAR_SETTINGS = {
    "TITLE": "Relais API",
    "DESCRIPTION": "API of Relais, the software of a local 'capteurs' referral network.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CapteurStageEnum": "backend.capteurs.enums.Stage",
        "CapteurKindEnum": "backend.capteurs.enums.CapteurKind",
        "CapteurActivityEnum": "backend.capteurs.enums.Activity",
        "StructureKindEnum": "backend.structures.enums.StructureKind",
        "ReferralStatusEnum": "backend.referrals.enums.Status",
        "AttemptKindEnum": "backend.referrals.enums.AttemptKind",
        "AttemptOutcomeEnum": "backend.referrals.enums.AttemptOutcome",
        "OrientationOutcomeEnum": "backend.referrals.enums.OrientationOutcome",
        "NotificationStatusEnum": "backend.notifications.enums.NotificationStatus",
        "NotificationChannelEnum": "backend.notifications.enums.Channel",
        "ClosingReasonEnum": "backend.referrals.enums.ClosingReason",
        "VisitKindEnum": "backend.visits.enums.VisitKind",
        "VisitStatusEnum": "backend.visits.enums.VisitStatus",
        "VisitEventKindEnum": "backend.visits.enums.VisitEventKind",
    },
}

# --- Cache (throttling) -----------------------------------------------------------------
# Only what can be lost lives there, read through backend.core.cache (fails open when down).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://relais")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that hangs costs a request this long per call at most, not the worker's timeout.
    _cache_timeout = env.float("CACHE_SOCKET_TIMEOUT", default=0.5)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=_cache_timeout, socket_timeout=_cache_timeout
    )

# --- Celery -----------------------------------------------------------------------------
# No broker configured: tasks run in-process (embedded default). CELERY_BROKER_URL switches
# to a real broker (redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # Publishing to a broker that is down gives up at once (the outbox sweep sends later).
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing gives up fast when the broker is down: the outbox row stays pending for the sweep.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Retries of a failed notification wait this × 2^n seconds (30 s, 1, 2, 4, 8 min).
NOTIFICATION_RETRY_BASE_SECONDS: int = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=30)
# The outbox sweep (notifications.delivery): how often it runs, when a claim ("sending") is
# stale (more than the deliver task's 45 s time limit), when an enqueued row is enqueued again.
# Production keeps the defaults; the drill (deploy/drill.py) shortens them to run in a minute.
NOTIFICATION_SWEEP_SECONDS: float = env.float("NOTIFICATION_SWEEP_SECONDS", default=60)
NOTIFICATION_SENDING_STALE_SECONDS: int = env.int("NOTIFICATION_SENDING_STALE_SECONDS", default=600)
NOTIFICATION_PENDING_RESEND_SECONDS: int = env.int(
    "NOTIFICATION_PENDING_RESEND_SECONDS", default=120
)
# The beat schedule, in one place (a test checks every entry names a registered task).
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "notifications.sweep_pending",
        "schedule": NOTIFICATION_SWEEP_SECONDS,
    },
    "referrals-coordinator-digest": {
        "task": "referrals.send_coordinator_digests",
        "schedule": crontab(hour=7, minute=30),
    },
    # Idempotency keys of replayed offline actions live a week (backend.core.idempotency).
    "core-purge-idempotent-requests": {
        "task": "core.purge_idempotent_requests",
        "schedule": crontab(hour=3, minute=15),
    },
    # The first of the month at 10:00: shops are open, nobody is woken up.
    "referrals-capteur-summaries": {
        "task": "referrals.send_capteur_summaries",
        "schedule": crontab(day_of_month=1, hour=10, minute=0),
    },
    # Before the facilitators' day starts: today's round already holds what is due.
    "visits-plan-automatic": {
        "task": "visits.plan_automatic",
        "schedule": crontab(hour=6, minute=0),
    },
    # Just after midnight (Paris): the referral figures of the day that ended, for the
    # dashboard (backend.referrals.services.daily).
    "referrals-roll-up-days": {
        "task": "referrals.roll_up_days",
        "schedule": crontab(hour=0, minute=20),
    },
    # Every night at 3:00 (Paris): referrals past their territory's retention are anonymised.
    "referrals-anonymise-expired": {
        "task": "referrals.anonymise_expired",
        "schedule": crontab(hour=3, minute=0),
    },
}

# --- SMS ------------------------------------------------------------------------------
# console (default: logged, kept in the outbox) or twilio.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
# A Messaging Service picks the sender and carries opt-out settings; else SMS_SENDER_ID.
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_TIMEOUT = env.int("TWILIO_TIMEOUT", default=10)
# Only for a local fake Twilio in integration tests.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
# Alphanumeric sender ID of outbound SMS (one-way, 11 characters at most, one letter at least).
SMS_SENDER_ID = env.str("SMS_SENDER_ID", default="RELAIS")
# SMS to one number per day at most (stops SMS pumping through the public form).
SMS_DAILY_CAP_PER_NUMBER: int = env.int("SMS_DAILY_CAP_PER_NUMBER", default=5)
# SMS to referred people only in these hours (local time), Monday to Saturday, not on holidays.
SMS_PERSON_HOURS: tuple[int, int] = (
    env.int("SMS_PERSON_HOUR_FROM", default=9),
    env.int("SMS_PERSON_HOUR_TO", default=20),
)

# --- Email (coordinator alerts) ---------------------------------------------------------
# Console by default: messages are printed. EMAIL_URL=smtp+tls://user:pass@host:587 to send.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Relais <relais@localhost>")

# --- Logging ----------------------------------------------------------------------------
# Never log personal data of referred people: log ids, not names or phone numbers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secret_paths": {"()": "backend.core.logging.RedactSecretPathsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secret_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
