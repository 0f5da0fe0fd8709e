"""Settings of the bench floor: a bare Django project beside Relais, served by its own
gunicorn during `make bench` only (never part of the deployed app: it lives under tests/).

The floor is what one INSERT costs through Django on this machine, with the same server,
database and connection settings as the app: no middleware, no apps, no DRF. The referral
submission's throughput is compared to it (SPEC.md, budgets: at least 50 %).
"""

import environ

env = environ.Env()

SECRET_KEY = "bench-floor-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.bench.floor.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
USE_TZ = True
TIME_ZONE = "Europe/Paris"
