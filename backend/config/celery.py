"""The Celery application. Tasks live in each app's tasks.py; the beat schedule in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.config.settings")

app = Celery("relais")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
