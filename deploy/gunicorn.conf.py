"""Gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py`."""

import gc
import multiprocessing
import os

wsgi_app = "backend.config.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# A sync worker cannot tell the arbiter it is alive while it streams an answer: the referral
# export of a year of a large network (~560 000 rows at 1 000 000 referrals) streams for
# ~30 s, so the limit leaves it room (README, Benchmarks).
timeout = 120
# No access log: a line with the client address and a landing page's path would tie a person
# to a capteur, which SPEC.md forbids. Errors still go to the error log (Django redacts paths).
accesslog = None
errorlog = "-"


def post_worker_init(worker):
    """Loads what Django otherwise imports on the first request (the URLs, hence every view,
    serializer and selector module), then moves all of it to the collector's permanent
    generation, so the full collections a request's allocations trigger (the dashboard's map:
    tens of thousands of objects) no longer walk it. Measured in one process on the map at
    10 000 capteurs: 200–350 ms → 165–225 ms (README)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imported for its side effect
    gc.collect()
    gc.freeze()
